import { describe, expect, it } from 'vitest';
import { createHostMatcher } from '../../src/transport/targets/host-matcher.js';
import { loadConfig } from '../../src/config/load-config.js';
import { BreakerRegistry } from '../../src/registry/breaker-registry.js';
import { configErrorOf, useTempDir } from './config-fixtures.js';

const files = useTempDir();
const NAMES = ['__proto__', 'constructor', 'hasOwnProperty'];

describe('names that are Object.prototype members are ordinary names', () => {
  it('hosts from CIRCUIT_BREAKER_HOSTS', () => {
    const config = loadConfig({ env: { CIRCUIT_BREAKER_HOSTS: NAMES.join(',') } });
    expect(config.hosts.map((h) => h.name).sort()).toEqual([
      '__proto__',
      'constructor',
      'hasownproperty',
    ]);
    const matcher = createHostMatcher(config.hosts);
    for (const name of NAMES)
      expect(matcher.match(name, 443, 'https:')?.name).toBe(name.toLowerCase());
  });

  it.each([
    [
      'yaml',
      [
        'hosts:',
        '  __proto__:',
        '    openSeconds: 7',
        '  constructor: {}',
        '  hasOwnProperty:',
        '    openSeconds: 9',
        'agents:',
        '  constructor:',
        '    openSeconds: 11',
      ].join('\n'),
    ],
    [
      'json',
      '{"hosts": {"__proto__": {"openSeconds": 7}, "constructor": {}, "hasOwnProperty": {"openSeconds": 9}},' +
        ' "agents": {"constructor": {"openSeconds": 11}}}',
    ],
  ])('hosts and agents from a %s file, each with its own settings', (ext, text) => {
    const file = files.write(`names.${ext}`, text);
    const config = loadConfig({ env: { CIRCUIT_BREAKER_CONFIG: file } });
    const byName = new Map(config.hosts.map((h) => [h.name, h.policy.openSeconds]));
    expect([...byName.keys()].sort()).toEqual(['__proto__', 'constructor', 'hasownproperty']);
    expect(byName.get('__proto__')).toBe(7);
    expect(byName.get('hasownproperty')).toBe(9);
    expect(Object.hasOwn(config.agents, 'constructor')).toBe(true);
    const agent = (name: string) => config.agents[name];
    expect(agent('constructor')?.policy.openSeconds).toBe(11);
    // An agent without an entry of its own finds nothing, not Object.prototype's member.
    expect(agent('hasOwnProperty')).toBeUndefined();
  });

  it('a bad value under a host named __proto__ is reported under that name', () => {
    const file = files.write(
      'bad-proto.yaml',
      ['hosts:', '  __proto__:', '    openSeconds: -1'].join('\n'),
    );
    const error = configErrorOf(() => loadConfig({ env: { CIRCUIT_BREAKER_CONFIG: file } }));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({
      source: `${file}:3`,
      path: 'hosts.__proto__.openSeconds',
    });
  });

  it('the registry keeps breakers of those names apart', () => {
    const registry = new BreakerRegistry();
    for (const name of NAMES) registry.get(name);
    expect(
      registry
        .list()
        .map((b) => b.name)
        .sort(),
    ).toEqual([...NAMES].sort());
    expect(registry.peek('__proto__')?.name).toBe('__proto__');
  });
});

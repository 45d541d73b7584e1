import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/core/policy.js';
import { loadConfig } from '../../src/config/load-config.js';
import { configErrorOf, useTempDir } from './config-fixtures.js';

const files = useTempDir();
const EXAMPLE = join(__dirname, '..', '..', 'circuit-breakers.example.yaml');

describe('unknown names and syntax errors', () => {
  it('suggests the closest key for an unknown key, in every source', () => {
    const file = files.write(
      'typo.yaml',
      'hosts:\n  a.example.com:\n    openSecs: 3\nregistri: {}\n',
    );
    const error = configErrorOf(() =>
      loadConfig({
        env: { CIRCUIT_BREAKER_CONFIG: file },
        code: { defaults: { failureTreshold: 3 } as never },
      }),
    );
    expect(error.message).toContain(
      `${file}:3: hosts["a.example.com"].openSecs: unknown key; did you mean "openSeconds"?`,
    );
    expect(error.message).toContain(`${file}:4: registri: unknown key; did you mean "registry"?`);
    expect(error.message).toContain(
      'code: defaults.failureTreshold: unknown key; did you mean "failureThreshold"?',
    );
  });

  it('rejects an unknown CIRCUIT_BREAKER_* env var with a hint, but not CIRCUIT_BREAKER_CONFIG', () => {
    const error = configErrorOf(() =>
      loadConfig({ env: { CIRCUIT_BREAKER_OPEN_SECOND: '5', CIRCUIT_BREAKER_HOST: 'a.com' } }),
    );
    expect(error.message).toContain(
      'env CIRCUIT_BREAKER_OPEN_SECOND: unknown variable; did you mean "CIRCUIT_BREAKER_OPEN_SECONDS"?',
    );
    expect(error.message).toContain(
      'env CIRCUIT_BREAKER_HOST: unknown variable; did you mean "CIRCUIT_BREAKER_HOSTS"?',
    );
    expect(() => loadConfig({ env: { CIRCUIT_BREAKER_CONFIG: '' } })).not.toThrow();
    expect(() =>
      loadConfig({ env: { CIRCUIT_BREAKER_ADMIN_URL: 'http://127.0.0.1:9465' } }),
    ).not.toThrow();
  });

  it('names the file and line of a YAML syntax error', () => {
    const file = files.write(
      'syntax.yaml',
      'hosts:\n  a.example.com:\n    openSeconds: [1, 2\n  b.example.com: {}\n',
    );
    const error = configErrorOf(() => loadConfig({ env: { CIRCUIT_BREAKER_CONFIG: file } }));
    expect(error.problems[0]!.source).toBe(`${file}:4`);
    expect(error.message).toMatch(/YAML syntax error at line 4, column \d+/);
  });

  it('names the file and line of a JSON syntax error, a missing file and a wrong extension', () => {
    const file = files.write('syntax.json', '{\n  "hosts": ["a.com"],\n}\n');
    expect(
      configErrorOf(() => loadConfig({ env: { CIRCUIT_BREAKER_CONFIG: file } })).message,
    ).toContain(`${file}:3: JSON syntax error`);
    expect(
      configErrorOf(() =>
        loadConfig({ env: { CIRCUIT_BREAKER_CONFIG: 'nope.yaml' }, cwd: files.dir }),
      ).message,
    ).toContain('env CIRCUIT_BREAKER_CONFIG: got "nope.yaml", file not found');
    expect(
      configErrorOf(() => loadConfig({ env: { CIRCUIT_BREAKER_CONFIG: 'cb.toml' } })).message,
    ).toContain('expected a path ending in .yaml, .yml or .json');
  });
});

describe('purity', () => {
  it('does not change its inputs and returns frozen config', () => {
    const code = {
      hosts: { 'A.example.com': { openSeconds: 5 } },
      defaults: { failOn: { statuses: [500] } },
    };
    const env = { CIRCUIT_BREAKER_HOSTS: 'b.example.com' };
    const before = JSON.stringify([code, env]);
    const config = loadConfig({ env, code });
    expect(JSON.stringify([code, env])).toBe(before);
    expect(
      Object.isFrozen(config) &&
        Object.isFrozen(config.hosts[0]) &&
        Object.isFrozen(config.hosts[0]!.policy),
    ).toBe(true);
  });
});

describe('circuit-breakers.example.yaml', () => {
  const text = readFileSync(EXAMPLE, 'utf8');

  it('validates', () => {
    const config = loadConfig({ env: { CIRCUIT_BREAKER_CONFIG: EXAMPLE } });
    expect(config.hosts.map((rule) => rule.name)).toContain('*.svc.cluster.local');
    expect(config.hosts.find((rule) => rule.name === 'api.openai.com')).toMatchObject({
      rejectWith: 'response',
    });
  });

  it('validates with every commented default turned on', () => {
    const start = text.indexOf('\ndefaults:\n');
    const end = text.indexOf('\n# The hosts to protect');
    const defaults = text
      .slice(start, end)
      .replace(/^( {2})# ((?: {2})?[a-zA-Z]\w*:.*)$/gm, '$1$2');
    const file = files.write(
      'example-defaults.yaml',
      text.slice(0, start) + defaults + text.slice(end),
    );
    const config = loadConfig({ env: { CIRCUIT_BREAKER_CONFIG: file } });
    const plain = config.hosts.find((rule) => rule.name === 'search.example.com');
    expect(plain!.policy).toEqual(PRESETS.default);
  });

  it('mentions every field', () => {
    const fields = [
      ...Object.keys(PRESETS.default),
      ...[
        'enabled',
        'preset',
        'defaults',
        'hosts',
        'agents',
        'rejectWith',
        'failOn',
        'statuses',
        'quotaOpenSeconds',
        'classify',
      ],
      ...[
        'store',
        'type',
        'url',
        'clusterNodes',
        'sentinel',
        'sentinels',
        'name',
        'keyPrefix',
        'flushIntervalMs',
        'resyncIntervalMs',
        'storeTimeoutMs',
      ],
      ...['admin', 'port', 'host', 'token', 'registry', 'maxBreakers', 'idleEvictSeconds'],
    ];
    for (const field of fields) expect(text, field).toMatch(new RegExp(`\\b${field}\\b`));
  });
});

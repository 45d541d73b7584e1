import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/core/policy.js';
import { loadConfig } from '../../src/config/load-config.js';
import { configErrorOf, useTempDir } from './config-fixtures.js';

const files = useTempDir();

describe('loadConfig sources and precedence', () => {
  it('with nothing configured, protects nothing and uses the defaults', () => {
    const config = loadConfig({ env: {} });
    expect(config.enabled).toBe(true);
    expect(config.hosts).toEqual([]);
    expect(config.store).toEqual({ type: 'memory' });
    expect(config.admin).toBeUndefined();
    expect(config.registry).toEqual({ maxBreakers: 10_000, idleEvictSeconds: 3600 });
    expect(config.agentDefaults.policy).toEqual(PRESETS.llm);
    expect(config.sources).toEqual([]);
  });

  it('code > env > file, merged field by field per host', () => {
    const file = files.write(
      'precedence.yaml',
      [
        'mode: observe',
        'hosts:',
        '  api.example.com:',
        '    failureThreshold: 7',
        '    openSeconds: 11',
        '  file-only.example.com:',
      ].join('\n'),
    );
    const config = loadConfig({
      env: {
        CIRCUIT_BREAKER_CONFIG: file,
        CIRCUIT_BREAKER_MODE: 'enforce',
        CIRCUIT_BREAKER_HOSTS: 'env-only.example.com, API.example.com',
        CIRCUIT_BREAKER_OPEN_SECONDS: '20',
        CIRCUIT_BREAKER_SUCCESS_THRESHOLD: '4',
      },
      code: {
        hosts: { 'api.example.com': { openSeconds: 13 } },
        defaults: { successThreshold: 5 },
      },
    });
    const byName = Object.fromEntries(config.hosts.map((rule) => [rule.name, rule.policy]));
    expect(Object.keys(byName).sort()).toEqual([
      'api.example.com',
      'env-only.example.com',
      'file-only.example.com',
    ]);
    expect(byName['api.example.com']).toMatchObject({
      failureThreshold: 7,
      openSeconds: 13,
      successThreshold: 5,
      mode: 'enforce',
    });
    // Env policy vars are defaults: a host's own field (from any source) still wins over them.
    expect(byName['file-only.example.com']).toMatchObject({ openSeconds: 20, successThreshold: 5 });
    expect(config.sources).toEqual([file, 'env', 'code']);
  });

  it('accepts empty sections and YAML anchors with merge keys', () => {
    const file = files.write(
      'anchors.yaml',
      [
        'defaults:',
        'agents:',
        'shared: &llm',
        '  preset: llm',
        '  openSeconds: 90',
        'hosts:',
        '  a.example.com:',
        '    <<: *llm',
        '    failureThreshold: 9',
      ]
        .join('\n')
        .replace('shared: &llm', 'x-shared: &llm'),
    );
    const error = configErrorOf(() => loadConfig({ env: { CIRCUIT_BREAKER_CONFIG: file } }));
    expect(error.message).toContain(`${file}:3: ["x-shared"]: unknown key`);
    const ok = files.write(
      'anchors-ok.yaml',
      [
        'defaults:',
        'agents:',
        'hosts:',
        '  a.example.com: &llm',
        '    preset: llm',
        '    openSeconds: 90',
        '  b.example.com:',
        '    <<: *llm',
        '    failureThreshold: 9',
      ].join('\n'),
    );
    const config = loadConfig({ env: { CIRCUIT_BREAKER_CONFIG: ok } });
    expect(config.hosts[1]!.policy).toEqual({
      ...PRESETS.llm,
      openSeconds: 90,
      failureThreshold: 9,
    });
  });

  it('reads a relative CIRCUIT_BREAKER_CONFIG against cwd, and JSON files', () => {
    files.write('cb.json', JSON.stringify({ hosts: ['api.example.com'], preset: 'strict' }));
    const config = loadConfig({ env: { CIRCUIT_BREAKER_CONFIG: 'cb.json' }, cwd: files.dir });
    expect(config.hosts[0]!.policy).toEqual(PRESETS.strict);
  });

  it('reads env booleans, lists and the redis store', () => {
    const config = loadConfig({
      env: {
        CIRCUIT_BREAKER_ENABLED: 'off',
        CIRCUIT_BREAKER_HOSTS: 'a.example.com,,*.internal ',
        CIRCUIT_BREAKER_HONOR_RETRY_AFTER: 'no',
        CIRCUIT_BREAKER_REDIS_URL: 'redis://cache:6379/2',
        CIRCUIT_BREAKER_REDIS_KEY_PREFIX: 'svc:cb',
        CIRCUIT_BREAKER_ADMIN_PORT: '0',
        CIRCUIT_BREAKER_UNSET_IS_IGNORED: undefined,
        CIRCUIT_BREAKER_MAX_BREAKERS: '',
      },
    });
    expect(config.enabled).toBe(false);
    expect(config.hosts.map((rule) => rule.name)).toEqual(['a.example.com', '*.internal']);
    expect(config.hosts[0]!.policy.honorRetryAfter).toBe(false);
    expect(config.store).toEqual({
      type: 'redis',
      url: 'redis://cache:6379/2',
      keyPrefix: 'svc:cb',
      flushIntervalMs: 1000,
      resyncIntervalMs: 5000,
      storeTimeoutMs: 200,
    });
    expect(config.admin).toEqual({ port: 0, host: '127.0.0.1', token: undefined });
    expect(config.registry.maxBreakers).toBe(10_000);
  });

  it('lets the highest source naming a redis connection decide it alone', () => {
    const file = files.write(
      'store.yaml',
      'store:\n  type: redis\n  clusterNodes: ["r1:6379", "r2:6379"]\n  keyPrefix: file\n',
    );
    const config = loadConfig({
      env: { CIRCUIT_BREAKER_CONFIG: file, CIRCUIT_BREAKER_REDIS_URL: 'rediss://cache:6380' },
    });
    expect(config.store).toMatchObject({
      type: 'redis',
      url: 'rediss://cache:6380',
      keyPrefix: 'file',
    });
    expect(config.store).not.toHaveProperty('clusterNodes');
    expect(
      loadConfig({ env: { CIRCUIT_BREAKER_CONFIG: file }, code: { store: { type: 'memory' } } })
        .store,
    ).toEqual({ type: 'memory' });
  });
});

describe('resolution', () => {
  it('applies presets, rejectWith and failOn per host', () => {
    const config = loadConfig({
      env: {},
      code: {
        preset: 'lenient',
        hosts: {
          'api.openai.com': { preset: 'llm' },
          'b.example.com': { failOn: { statuses: ['4xx', 503] } },
        },
      },
    });
    const [openai, other] = config.hosts;
    expect(openai).toMatchObject({
      name: 'api.openai.com',
      rejectWith: 'response',
      policy: PRESETS.llm,
      quotaOpenSeconds: 3600,
    });
    expect(other).toMatchObject({ rejectWith: 'error', policy: PRESETS.lenient });
    expect([429, 500, 502, 404, 200].map(openai!.isFailureStatus)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    expect([404, 429, 503, 500, 200].map(other!.isFailureStatus)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  it('gives agents preset llm unless a global preset is set explicitly', () => {
    const implicit = loadConfig({ env: {}, code: { agents: { researcher: { openSeconds: 90 } } } });
    expect(implicit.agentDefaults).toMatchObject({
      name: 'agent:*',
      rejectWith: 'response',
      policy: PRESETS.llm,
    });
    expect(implicit.agents.researcher).toMatchObject({
      name: 'agent:researcher',
      policy: { ...PRESETS.llm, openSeconds: 90 },
    });
    const explicit = loadConfig({ env: { CIRCUIT_BREAKER_PRESET: 'strict' } });
    expect(explicit.agentDefaults.policy).toEqual(PRESETS.strict);
  });

  it('applies the global mode under defaults and hosts', () => {
    const config = loadConfig({
      env: { CIRCUIT_BREAKER_MODE: 'observe' },
      code: { hosts: { 'a.example.com': {}, 'b.example.com': { mode: 'enforce' } } },
    });
    expect(config.hosts.map((rule) => rule.policy.mode)).toEqual(['observe', 'enforce']);
  });

  it('keeps a classify function from code', () => {
    const classify = () => 'success' as const;
    const config = loadConfig({ env: {}, code: { hosts: { 'a.example.com': { classify } } } });
    expect(config.hosts[0]!.classify).toBe(classify);
  });

  it('checks maxOpenSeconds >= openSeconds after merging, blaming the most specific field', () => {
    const error = configErrorOf(() =>
      loadConfig({
        env: { CIRCUIT_BREAKER_MAX_OPEN_SECONDS: '100' },
        code: { hosts: { 'a.example.com': { openSeconds: 200 } } },
      }),
    );
    expect(error.message).toContain(
      'code: hosts["a.example.com"].openSeconds: got 200, expected at most maxOpenSeconds (100, defaults.maxOpenSeconds from env CIRCUIT_BREAKER_MAX_OPEN_SECONDS)',
    );
  });

  it('rejects a non-loopback admin address without a token, duplicate hosts and two redis connections', () => {
    expect(
      configErrorOf(() =>
        loadConfig({
          env: { CIRCUIT_BREAKER_ADMIN_PORT: '9000', CIRCUIT_BREAKER_ADMIN_HOST: '0.0.0.0' },
        }),
      ).message,
    ).toContain(
      'env CIRCUIT_BREAKER_ADMIN_HOST: admin.host: got "0.0.0.0", expected a loopback address',
    );
    expect(
      loadConfig({
        env: {},
        code: { admin: { port: 9000, host: '0.0.0.0', token: 'x'.repeat(32) } },
      }).admin?.host,
    ).toBe('0.0.0.0');
    expect(
      configErrorOf(() =>
        loadConfig({ env: {}, code: { mode: 'observe', defaults: { mode: 'enforce' } } }),
      ).message,
    ).toContain(
      'code: defaults.mode: got "enforce", expected the same value as the top-level mode ("observe")',
    );
    expect(
      configErrorOf(() =>
        loadConfig({ env: {}, code: { hosts: { 'A.example.com': {}, 'a.example.com': {} } } }),
      ).message,
    ).toContain('duplicate of hosts["A.example.com"]');
    const twoConnections = {
      type: 'redis' as const,
      url: 'redis://a:6379',
      clusterNodes: ['b:6379'],
    };
    expect(
      configErrorOf(() => loadConfig({ env: {}, code: { store: twoConnections } })).message,
    ).toContain(
      'code: store.clusterNodes: got ["b:6379"], expected only one of url, clusterNodes and sentinel',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { CONFIG_ERROR_CODE } from '../../src/config/config-error.js';
import { CIRCUIT_BREAKER_ENV_VARS, parseEnvValue } from '../../src/config/env-vars.js';
import { POLICY_FIELDS, SETTINGS_FIELDS } from '../../src/config/field-specs.js';
import { HEALTH_CHECK_FIELDS } from '../../src/config/health-check-fields.js';
import { formatPath, formatValue } from '../../src/config/problem-text.js';
import { loadConfig } from '../../src/config/load-config.js';
import {
  ADMIN_FIELDS,
  REGISTRY_FIELDS,
  STORE_FIELDS,
  TOP_FIELDS,
} from '../../src/config/schema.js';
import { configErrorOf, nest, useTempDir } from './config-fixtures.js';

interface BadValue {
  readonly path: readonly (string | number)[];
  readonly bad: unknown;
  /** A fragment of the "expected ..." text. */
  readonly allowed: string;
  /** Text to try through the field's env var, when it has one (default: String(bad)). */
  readonly envText?: string;
  /** Other fields the bad value needs next to it (e.g. the store type). */
  readonly with?: Record<string, unknown>;
}

const H = ['hosts', 'api.example.com'];
const HC = [...H, 'healthCheck'];
const REDIS = { store: { type: 'redis' } };

/** One bad value for every configurable field; the completeness tests below keep it that way. */
const BAD_VALUES: readonly BadValue[] = [
  { path: ['enabled'], bad: 'yes', envText: 'maybe', allowed: 'true or false' },
  { path: ['quiet'], bad: 'yes', envText: 'shh', allowed: 'true or false' },
  { path: ['mode'], bad: 'block', allowed: 'one of "enforce", "observe"' },
  { path: ['preset'], bad: 'llms', allowed: '"fast-recovery", "llm", "internal-http"' },
  { path: ['defaults', 'failureThreshold'], bad: -1, allowed: 'an integer from 0 to 10000' },
  { path: ['defaults', 'failureRateThreshold'], bad: 1.5, allowed: 'a number from 0 to 1' },
  { path: ['defaults', 'windowSeconds'], bad: 0, allowed: 'an integer from 1 to 86400' },
  { path: ['defaults', 'windowBuckets'], bad: 2.5, allowed: 'an integer from 1 to 1000' },
  { path: ['defaults', 'minimumCalls'], bad: 'many', allowed: 'an integer from 1 to 1000000' },
  { path: ['defaults', 'slowCallDurationMs'], bad: -5, allowed: 'an integer from 1 to 86400000' },
  { path: ['defaults', 'slowCallRateThreshold'], bad: -0.1, allowed: 'a number from 0 to 1' },
  {
    path: ['defaults', 'openSeconds'],
    bad: 0,
    allowed: 'a number greater than 0 and at most 86400',
  },
  { path: ['defaults', 'backoffMultiplier'], bad: 0.5, allowed: 'a number from 1 to 100' },
  {
    path: ['defaults', 'maxOpenSeconds'],
    bad: 100_000,
    allowed: 'a number greater than 0 and at most 86400',
  },
  { path: ['defaults', 'jitterRatio'], bad: 1, allowed: 'a number at least 0 and below 1' },
  { path: ['defaults', 'halfOpenMaxCalls'], bad: 0, allowed: 'an integer from 1 to 1000' },
  { path: ['defaults', 'successThreshold'], bad: 1001, allowed: 'an integer from 1 to 1000' },
  { path: ['defaults', 'callTimeoutMs'], bad: 'soon', allowed: 'an integer from 1 to 86400000' },
  { path: ['defaults', 'honorRetryAfter'], bad: 'sometimes', allowed: 'true or false' },
  { path: ['defaults', 'mode'], bad: 'shadow', allowed: 'one of "enforce", "observe"' },
  { path: ['defaults', 'preset'], bad: 'fast', allowed: 'one of "default", "strict"' },
  { path: ['defaults', 'rejectWith'], bad: '503', allowed: 'one of "error", "response"' },
  {
    path: ['defaults', 'quotaOpenSeconds'],
    bad: -1,
    allowed: 'a number greater than 0 and at most 604800',
  },
  {
    path: ['defaults', 'failOn', 'statuses'],
    bad: '5xx',
    allowed: 'a list of an HTTP status from 100 to 599',
  },
  { path: ['defaults', 'classify'], bad: 'myClassifier', allowed: 'a function (in code only)' },
  { path: [...H, 'failureRateThreshold'], bad: 2, allowed: 'a number from 0 to 1' },
  { path: [...H, 'openSeconds'], bad: -1, allowed: 'a number greater than 0' },
  { path: [...H, 'preset'], bad: 'openai', allowed: 'one of "default"' },
  {
    path: [...H, 'failOn', 'statuses', 0],
    bad: 700,
    allowed: 'an HTTP status from 100 to 599, or "4xx" or "5xx"',
  },
  { path: [...H, 'failOn', 'codes'], bad: [500], allowed: 'unknown key' },
  { path: [...HC, 'path'], bad: 'healthz', allowed: 'a path starting with "/"' },
  { path: [...HC, 'method'], bad: 'POST', allowed: 'one of "GET", "HEAD"' },
  { path: [...HC, 'protocol'], bad: 'ftp', allowed: 'one of "http", "https"' },
  { path: [...HC, 'intervalSeconds'], bad: 0, allowed: 'a number from 0.1 to 3600' },
  { path: [...HC, 'timeoutMs'], bad: 60_001, allowed: 'an integer from 1 to 60000' },
  {
    path: [...HC, 'expectStatus', 0],
    bad: '4xx',
    allowed: 'an HTTP status from 100 to 599, "2xx" or "3xx"',
  },
  {
    path: [...HC, 'headers', 'authorization'],
    bad: 'Bearer a\nb',
    allowed: 'a mapping of header name',
  },
  { path: ['hosts', 'https://api.example.com'], bad: {}, allowed: 'no scheme' },
  {
    path: ['hosts', 'api.example.com:70000'],
    bad: {},
    allowed: 'port must be an integer from 1 to 65535',
  },
  { path: ['hosts', 'api.example.com/v1'], bad: {}, allowed: 'no path' },
  { path: ['hosts', '::1'], bad: {}, allowed: 'IPv6 address must be in brackets' },
  {
    path: ['hosts', 'api.*.com'],
    bad: {},
    allowed: '"*" is only allowed as the whole first label',
  },
  { path: ['hosts', '*.example.com:443'], bad: {}, allowed: 'wildcard pattern cannot have a port' },
  {
    path: ['hosts'],
    bad: 'api.example.com',
    allowed: 'a mapping of host pattern to settings, or a list',
  },
  { path: ['agents', 'research team'], bad: {}, allowed: '1-64 letters, digits' },
  {
    path: ['agents', 'researcher', 'halfOpenMaxCalls'],
    bad: 0,
    allowed: 'an integer from 1 to 1000',
  },
  { path: ['store'], bad: 'disk', allowed: '"memory", "redis", or a mapping with type' },
  { path: ['store', 'type'], bad: 'postgres', allowed: '"memory", "redis"' },
  {
    path: ['store', 'url'],
    bad: 'http://cache:6379',
    allowed: 'a redis:// or rediss:// URL',
    with: REDIS,
  },
  { path: ['store', 'keyPrefix'], bad: '{cb}', allowed: '1-64 letters, digits', with: REDIS },
  {
    path: ['store', 'flushIntervalMs'],
    bad: 5,
    allowed: 'an integer from 10 to 60000',
    with: REDIS,
  },
  {
    path: ['store', 'resyncIntervalMs'],
    bad: 50,
    allowed: 'an integer from 100 to 3600000',
    with: REDIS,
  },
  { path: ['store', 'storeTimeoutMs'], bad: 0, allowed: 'an integer from 1 to 60000', with: REDIS },
  {
    path: ['store', 'clusterNodes'],
    bad: 'redis-1:6379',
    allowed: 'a list of "host:port" entries',
    with: REDIS,
  },
  {
    path: ['store', 'sentinel', 'sentinels'],
    bad: [],
    allowed: 'a list of "host:port"',
    with: REDIS,
  },
  { path: ['store', 'sentinel', 'name'], bad: '', allowed: 'a non-empty master name', with: REDIS },
  { path: ['admin', 'port'], bad: 65_536, allowed: 'an integer from 0 to 65535' },
  { path: ['admin', 'host'], bad: 'not a host!', allowed: 'an IP address or host name' },
  { path: ['admin', 'token'], bad: 'short', allowed: 'at least 16 characters' },
  { path: ['registry', 'maxBreakers'], bad: 0, allowed: 'an integer from 1 to 1000000' },
  { path: ['registry', 'idleEvictSeconds'], bad: 1.5, allowed: 'an integer from 1 to 2592000' },
];

function codeConfig(row: BadValue): Record<string, unknown> {
  const config = structuredClone(row.with ?? {}) as Record<string, Record<string, unknown>>;
  const value = nest(row.path, row.bad);
  for (const [key, inner] of Object.entries(value)) {
    config[key] =
      typeof inner === 'object' && inner !== null && !Array.isArray(inner)
        ? { ...config[key], ...inner }
        : (inner as never);
  }
  return config;
}

/** Asserts one line of the error names source, path, value (unless an unknown key) and what is allowed. */
function expectLine(
  message: string,
  parts: { source: string; path: string; value?: string; allowed: string },
): void {
  const line = message
    .split('\n')
    .find(
      (l) => l.includes(parts.source) && l.includes(`${parts.path}:`) && l.includes(parts.allowed),
    );
  expect(
    line,
    `no line naming ${parts.source}, ${parts.path}, ${parts.allowed} in:\n${message}`,
  ).toBeDefined();
  if (parts.value !== undefined) expect(line).toContain(`got ${parts.value}`);
}

const files = useTempDir();

describe('a bad value for every field', () => {
  it.each(BAD_VALUES.map((row) => [formatPath(row.path), row] as const))(
    '%s from code',
    (_, row) => {
      const error = configErrorOf(() => loadConfig({ env: {}, code: codeConfig(row) as never }));
      expect(error.code).toBe(CONFIG_ERROR_CODE);
      const isKey =
        row.path[0] === 'hosts' || row.path[0] === 'agents'
          ? row.path.length === 2 && row.bad !== 'api.example.com'
          : false;
      const value = isKey
        ? formatValue(row.path[1])
        : row.allowed === 'unknown key'
          ? undefined
          : formatValue(row.bad, row.path);
      expectLine(error.message, {
        source: 'code',
        path: formatPath(row.path),
        value,
        allowed: row.allowed,
      });
    },
  );

  it.each(
    BAD_VALUES.filter((row) => row.path.at(-1) !== 'classify').map(
      (row) => [formatPath(row.path), row] as const,
    ),
  )('%s from a YAML file', (_, row) => {
    const file = files.write(`bad-${BAD_VALUES.indexOf(row)}.yaml`, stringify(codeConfig(row)));
    const error = configErrorOf(() => loadConfig({ env: { CIRCUIT_BREAKER_CONFIG: file } }));
    expectLine(error.message, {
      source: `${file}:`,
      path: formatPath(row.path),
      allowed: row.allowed,
    });
  });

  it('names the file, line and field for a JSON file', () => {
    const file = files.write(
      'bad.json',
      JSON.stringify({ hosts: { 'api.example.com': { openSeconds: -1 } } }, null, 2),
    );
    const error = configErrorOf(() => loadConfig({ env: { CIRCUIT_BREAKER_CONFIG: file } }));
    expect(error.message).toContain(
      `${file}:4: hosts["api.example.com"].openSeconds: got -1, expected a number greater than 0`,
    );
  });

  const envRows = CIRCUIT_BREAKER_ENV_VARS.filter((spec) => spec.path.length > 0).map((spec) => {
    const row = BAD_VALUES.find((r) => formatPath(r.path) === formatPath(spec.path));
    return [spec.name, spec, row] as const;
  });
  it.each(envRows)('%s from env', (name, spec, row) => {
    const text =
      spec.type === 'list' ? 'https://api.example.com' : (row?.envText ?? String(row?.bad));
    const error = configErrorOf(() => loadConfig({ env: { [name]: text } }));
    const allowed = spec.type === 'list' ? 'no scheme' : row!.allowed;
    const path = spec.type === 'list' ? 'hosts["https://api.example.com"]' : formatPath(spec.path);
    const value =
      spec.type === 'list' ? undefined : formatValue(parseEnvValue(spec, text), spec.path);
    expectLine(error.message, { source: `env ${name}`, path, value, allowed });
  });
});

describe('the bad-value table is complete', () => {
  const tried = new Set(BAD_VALUES.map((row) => row.path.at(-1)));
  it.each([
    ...Object.keys(TOP_FIELDS),
    ...Object.keys(POLICY_FIELDS),
    ...Object.keys(SETTINGS_FIELDS),
    'failOn',
    'statuses',
    'classify',
    'healthCheck',
    ...Object.keys(HEALTH_CHECK_FIELDS),
    ...Object.keys(STORE_FIELDS),
    'clusterNodes',
    'sentinels',
    'name',
    ...Object.keys(ADMIN_FIELDS),
    ...Object.keys(REGISTRY_FIELDS),
  ])('tries %s', (field) => {
    expect(tried.has(field) || BAD_VALUES.some((row) => row.path.includes(field))).toBe(true);
  });

  it('has a row for every env var', () => {
    for (const spec of CIRCUIT_BREAKER_ENV_VARS.filter(
      (s) => s.path.length > 0 && s.type !== 'list',
    )) {
      expect(
        BAD_VALUES.some((row) => formatPath(row.path) === formatPath(spec.path)),
        spec.name,
      ).toBe(true);
    }
  });
});

describe('problems are reported all at once', () => {
  it('lists every problem of every source, one per line', () => {
    const file = files.write('two.yaml', 'defaults:\n  windowSeconds: 0\n  openSeconds: -1\n');
    const error = configErrorOf(() =>
      loadConfig({
        env: { CIRCUIT_BREAKER_CONFIG: file, CIRCUIT_BREAKER_MINIMUM_CALLS: 'lots' },
        code: { registry: { maxBreakers: 0 } },
      }),
    );
    expect(error.problems).toHaveLength(4);
    expect(error.message.split('\n')).toHaveLength(5);
    expect(error.message).toContain(`${file}:2: defaults.windowSeconds: got 0`);
    expect(error.message).toContain(`${file}:3: defaults.openSeconds: got -1`);
    expect(error.message).toContain(
      'env CIRCUIT_BREAKER_MINIMUM_CALLS: defaults.minimumCalls: got "lots"',
    );
    expect(error.message).toContain('code: registry.maxBreakers: got 0');
  });

  it('never shows a secret in a message', () => {
    const error = configErrorOf(() =>
      loadConfig({
        env: {
          CIRCUIT_BREAKER_REDIS_URL: 'http://user:hunter2@cache:6379',
          CIRCUIT_BREAKER_ADMIN_TOKEN: 'hunter2 x',
        },
      }),
    );
    expect(error.message).not.toContain('hunter2');
    expect(error.message).toContain('<redacted, 9 characters>');
  });
});

import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { configErrorOf, useTempDir } from './config-fixtures.js';

const files = useTempDir();

function hostRule(pattern: string, settings: object) {
  return loadConfig({ env: {}, code: { hosts: { [pattern]: settings } } }).hosts[0]!;
}

describe('healthCheck config', () => {
  it('fills in the defaults; the scheme follows the pattern unless protocol is set', () => {
    const check = hostRule('payments.internal:8080', {
      healthCheck: { path: '/healthz' },
    }).healthCheck!;
    expect(check).toMatchObject({
      protocol: 'http:',
      hostname: 'payments.internal',
      port: 8080,
      path: '/healthz',
      method: 'GET',
      intervalMs: 10_000,
      timeoutMs: 2000,
      headers: {},
    });
    expect([200, 204, 299].every(check.isExpectedStatus)).toBe(true);
    expect([199, 301, 404, 503].some(check.isExpectedStatus)).toBe(false);
    expect(hostRule('api.example.com', { healthCheck: { path: '/' } }).healthCheck).toMatchObject({
      protocol: 'https:',
      port: 443,
    });
    expect(
      hostRule('[::1]:8443', { healthCheck: { path: '/', protocol: 'https' } }).healthCheck,
    ).toMatchObject({ protocol: 'https:', hostname: '::1', port: 8443 });
    const single = hostRule('a.internal', {
      healthCheck: { path: '/', expectStatus: 204, intervalSeconds: 0.5 },
    }).healthCheck!;
    expect([single.isExpectedStatus(204), single.isExpectedStatus(200)]).toEqual([true, false]);
    expect(single.intervalMs).toBe(500);
  });

  it('a host without one has none', () => {
    expect(hostRule('api.example.com', {}).healthCheck).toBeUndefined();
  });

  it('needs a path', () => {
    const error = configErrorOf(() => hostRule('api.example.com', { healthCheck: {} }));
    expect(error.message).toContain(
      'code: hosts["api.example.com"].healthCheck.path: missing; expected a path starting with "/"',
    );
  });

  it('is refused under a wildcard pattern, which names no single host', () => {
    const error = configErrorOf(() => hostRule('*.internal', { healthCheck: { path: '/health' } }));
    expect(error.message).toContain(
      'code: hosts["*.internal"].healthCheck: got "*.internal", expected a health check under a "host" or "host:port" pattern',
    );
  });

  it('belongs to one host: under defaults or an agent it is pointed there', () => {
    for (const code of [
      { defaults: { healthCheck: { path: '/health' } } },
      { agents: { researcher: { healthCheck: { path: '/health' } } } },
    ]) {
      const error = configErrorOf(() => loadConfig({ env: {}, code: code as never }));
      expect(error.message).toMatch(
        /healthCheck: unknown key; it is a host setting: put it under one host \(hosts\["api\.example\.com"\]\.healthCheck\)/,
      );
    }
  });

  it('reads header values from env references in a file, and never shows one in a message', () => {
    const file = files.write(
      'check.yaml',
      [
        'hosts:',
        '  payments.internal:',
        '    healthCheck:',
        '      path: /healthz',
        '      headers:',
        '        authorization: Bearer ${env:CHECK_TOKEN}',
      ].join('\n'),
    );
    const env = { CIRCUIT_BREAKER_CONFIG: file, CHECK_TOKEN: 's3cret-token' };
    expect(loadConfig({ env }).hosts[0]!.healthCheck!.headers).toEqual({
      authorization: 'Bearer s3cret-token',
    });

    const error = configErrorOf(() =>
      hostRule('payments.internal', {
        healthCheck: { path: '/', headers: { authorization: 's3cret-token\r\nx: y' } },
      }),
    );
    expect(error.message).toContain('got <redacted header text>');
    expect(error.message).not.toContain('s3cret');
    const leftover = configErrorOf(() =>
      hostRule('payments.internal', {
        healthCheck: { path: '/', headers: { authorization: 'Bearer ${env:CHECK_TOKEN}' } },
      }),
    );
    expect(leftover.message).toContain('not a "${…}" reference');
  });
});

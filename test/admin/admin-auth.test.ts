import { afterEach, describe, expect, it } from 'vitest';
import { startAdminServer, type AdminServer } from '../../src/admin/admin-server.js';
import { AdminServerError } from '../../src/admin/admin-server-error.js';
import { BearerAuth } from '../../src/admin/bearer-auth.js';
import { isLoopbackAddress, isLoopbackHostHeader } from '../../src/admin/loopback.js';
import { BreakerRegistry } from '../../src/registry/breaker-registry.js';
import { bearer, send } from './http-client.js';

const TOKEN = 'correct-horse-battery-staple';
const servers: AdminServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(token?: string) {
  const registry = new BreakerRegistry();
  const breaker = registry.get('payments');
  const server = await startAdminServer({
    registry,
    port: 0,
    ...(token !== undefined ? { token } : {}),
  });
  servers.push(server);
  return { registry, breaker, server };
}

describe('admin endpoint authorisation', () => {
  it('refuses every change when no token is configured (403), while reads work', async () => {
    const { breaker, server } = await start();
    for (const action of ['reset', 'open', 'disable', 'enable']) {
      const res = await send(server.url, 'POST', `/circuit-breakers/payments/${action}`, {
        headers: bearer('anything'),
      });
      expect(res.status).toBe(403);
      expect(res.json<{ error: { code: string } }>().error.code).toBe('mutations_disabled');
    }
    expect(breaker.currentState).toBe('closed');
    expect((await send(server.url, 'GET', '/circuit-breakers/payments')).status).toBe(200);
  });

  it.each([
    ['no Authorization header', undefined, 'Bearer realm="otel-circuit-breaker"'],
    [
      'a wrong token of the same length',
      { authorization: `Bearer ${'x'.repeat(TOKEN.length)}` },
      'invalid_token',
    ],
    ['a shorter token', { authorization: 'Bearer c' }, 'invalid_token'],
    ['a longer token', { authorization: `Bearer ${TOKEN}${TOKEN}` }, 'invalid_token'],
    ['the token as a prefix', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }, 'invalid_token'],
    ['the right token with another scheme', { authorization: `Basic ${TOKEN}` }, 'invalid_token'],
    ['an empty bearer', { authorization: 'Bearer ' }, 'invalid_token'],
  ])(
    'answers 401 with WWW-Authenticate and changes nothing for %s',
    async (_label, headers, challenge) => {
      const { breaker, server } = await start(TOKEN);
      for (const action of ['open', 'disable']) {
        const res = await send(server.url, 'POST', `/circuit-breakers/payments/${action}`, {
          ...(headers !== undefined ? { headers } : {}),
        });
        expect(res.status).toBe(401);
        expect(String(res.headers['www-authenticate'])).toContain(challenge);
        expect(res.json<{ error: { code: string } }>().error.code).toBe('unauthorized');
      }
      expect(breaker.currentState).toBe('closed');
      expect(breaker.epoch).toBe(0);
    },
  );

  it('asks for the token before revealing whether a name or action exists', async () => {
    const { server } = await start(TOKEN);
    expect((await send(server.url, 'POST', '/circuit-breakers/nope/open')).status).toBe(401);
    expect((await send(server.url, 'POST', '/circuit-breakers/payments/explode')).status).toBe(401);
  });

  it('applies each change with the right token', async () => {
    const { breaker, server } = await start(TOKEN);
    const post = (action: string, scheme = 'Bearer') =>
      send(server.url, 'POST', `/circuit-breakers/payments/${action}`, {
        headers: { authorization: `${scheme} ${TOKEN}` },
      });
    let res = await post('open');
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({
      name: 'payments',
      action: 'open',
      scope: 'local',
      previousState: 'closed',
      status: { state: 'forced_open' },
    });
    expect(breaker.currentState).toBe('forced_open');
    expect((await post('reset', 'bearer')).status).toBe(200); // scheme is case-insensitive
    expect(breaker.currentState).toBe('closed');
    expect((await post('disable')).status).toBe(200);
    expect(breaker.currentState).toBe('disabled');
    res = await post('enable');
    expect(res.json()).toMatchObject({ previousState: 'disabled', status: { state: 'closed' } });
    // enable only undoes disable: a forced-open circuit stays open.
    await post('open');
    await post('enable');
    expect(breaker.currentState).toBe('forced_open');
  });

  it('refuses to bind a non-loopback address without a token, and starts with one', async () => {
    const registry = new BreakerRegistry();
    for (const host of ['0.0.0.0', '::', 'example.com']) {
      const attempt = startAdminServer({ registry, port: 0, host });
      await expect(attempt).rejects.toBeInstanceOf(AdminServerError);
      await expect(attempt).rejects.toMatchObject({
        code: 'EADMININSECURE',
        message: expect.stringContaining('without a token'),
      });
    }
    const server = await startAdminServer({ registry, port: 0, host: '0.0.0.0', token: TOKEN });
    servers.push(server);
    expect(server.port).toBeGreaterThan(0);
  });

  it('rejects bad options with EADMINCONFIG', async () => {
    const registry = new BreakerRegistry();
    await expect(startAdminServer({ registry, port: -1 })).rejects.toMatchObject({
      code: 'EADMINCONFIG',
    });
    await expect(startAdminServer({ registry, port: 0, token: '' })).rejects.toMatchObject({
      code: 'EADMINCONFIG',
    });
    await expect(startAdminServer({ registry, port: 0, token: 'has space' })).rejects.toMatchObject(
      {
        code: 'EADMINCONFIG',
      },
    );
  });

  it('on loopback, refuses requests whose Host names another site (DNS rebinding)', async () => {
    const { breaker, server } = await start(TOKEN);
    const evil = { host: 'attacker.example:8080' };
    expect((await send(server.url, 'GET', '/circuit-breakers', { headers: evil })).status).toBe(
      403,
    );
    const post = await send(server.url, 'POST', '/circuit-breakers/payments/open', {
      headers: { ...evil, ...bearer(TOKEN) },
    });
    expect(post.status).toBe(403);
    expect(breaker.currentState).toBe('closed');
    for (const host of ['localhost:1234', '127.0.0.1', '[::1]:9']) {
      expect((await send(server.url, 'GET', '/healthz', { headers: { host } })).status).toBe(200);
    }
  });
});

describe('BearerAuth and loopback helpers', () => {
  it('accepts exactly the configured token', () => {
    const auth = new BearerAuth('s3cret');
    expect(auth.check('Bearer s3cret')).toBe('ok');
    expect(auth.check('bearer   s3cret')).toBe('ok');
    expect(auth.check(undefined)).toBe('missing');
    expect(auth.check('Bearer s3cre')).toBe('invalid');
    expect(auth.check('Bearer s3cret extra')).toBe('invalid');
    expect(auth.check('s3cret')).toBe('invalid');
  });

  it('knows loopback addresses from the rest', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) {
      expect(isLoopbackAddress(h), h).toBe(true);
    }
    for (const h of ['0.0.0.0', '::', '10.0.0.1', 'example.com', '::ffff:10.0.0.1', '128.0.0.1']) {
      expect(isLoopbackAddress(h), h).toBe(false);
    }
    expect(isLoopbackHostHeader('localhost:80')).toBe(true);
    expect(isLoopbackHostHeader('127.0.0.1.nip.io')).toBe(false);
    expect(isLoopbackHostHeader(undefined)).toBe(false);
  });
});

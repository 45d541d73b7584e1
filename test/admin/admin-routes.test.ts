import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAdminRoute } from '../../src/admin/admin-routes.js';
import { startAdminServer, type AdminServer } from '../../src/admin/admin-server.js';
import type { AdminSnapshot } from '../../src/admin/admin-snapshot.js';
import type { BreakerSnapshot } from '../../src/core/breaker-snapshot.js';
import { BreakerRegistry } from '../../src/registry/breaker-registry.js';
import { bearer, send } from './http-client.js';

const TOKEN = 'route-test-token-0123456789';
const servers: AdminServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

// Every character a breaker name may hold (see BREAKER_NAME_ALLOWED) that a URL path encodes.
const SPECIAL_NAMES = [
  'agent:researcher',
  '*.example.com',
  'api.openai.com:443',
  '[::1]:8080',
  'a_b-c.D',
];

async function start() {
  const registry = new BreakerRegistry();
  for (const name of SPECIAL_NAMES) registry.get(name);
  const server = await startAdminServer({ registry, port: 0, token: TOKEN });
  servers.push(server);
  return { registry, server };
}

describe('admin endpoint routes', () => {
  it('lists every breaker with its status, open ones first', async () => {
    const { registry, server } = await start();
    registry.get('api.openai.com:443').forceOpen();
    const res = await send(server.url, 'GET', '/circuit-breakers');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('application/json');
    const body = res.json<AdminSnapshot>();
    expect(body.scope).toBe('local');
    expect(body.fleetOnly).toEqual([]);
    expect(body.breakers.map((b) => b.name).sort()).toEqual([...SPECIAL_NAMES].sort());
    expect(body.breakers[0]).toMatchObject({
      name: 'api.openai.com:443',
      state: 'forced_open',
      openCount: 1,
    });
    expect(Object.keys(body.breakers[0] ?? {})).toEqual(
      expect.arrayContaining([
        'failureRate',
        'callsInWindow',
        'secondsUntilRecovery',
        'thresholds',
        'lastError',
      ]),
    );
    expect((await send(server.url, 'GET', '/circuit-breakers/')).status).toBe(200);
  });

  it.each(SPECIAL_NAMES)('reads and changes %s through its percent-encoded name', async (name) => {
    const { registry, server } = await start();
    const path = `/circuit-breakers/${encodeURIComponent(name)}`;
    const got = await send(server.url, 'GET', path);
    expect(got.status).toBe(200);
    expect(got.json<BreakerSnapshot>().name).toBe(name);
    const posted = await send(server.url, 'POST', `${path}/open`, { headers: bearer(TOKEN) });
    expect(posted.status).toBe(200);
    expect(registry.peek(name)?.currentState).toBe('forced_open');
  });

  it('takes names with colons and stars unencoded too', async () => {
    const { server } = await start();
    expect((await send(server.url, 'GET', '/circuit-breakers/agent:researcher')).status).toBe(200);
    expect((await send(server.url, 'GET', '/circuit-breakers/*.example.com')).status).toBe(200);
  });

  it('answers 404 for unknown names and paths, without creating a breaker', async () => {
    const { registry, server } = await start();
    const before = registry.size;
    expect((await send(server.url, 'GET', '/circuit-breakers/unknown')).status).toBe(404);
    const post = await send(server.url, 'POST', '/circuit-breakers/unknown/reset', {
      headers: bearer(TOKEN),
    });
    expect(post.status).toBe(404);
    expect(post.json()).toEqual({
      error: { code: 'not_found', message: 'no breaker of that name' },
    });
    expect((await send(server.url, 'GET', '/metrics')).status).toBe(404);
    expect(registry.size).toBe(before);
    expect(registry.has('unknown')).toBe(false);
  });

  it('answers 400 for bad actions, bad JSON, bad encodings and bad paths', async () => {
    const { registry, server } = await start();
    const auth = { headers: bearer(TOKEN) };
    const cases: Array<[string, string, string | undefined]> = [
      ['POST', '/circuit-breakers/agent:researcher/explode', undefined],
      ['POST', '/circuit-breakers/agent:researcher/reset', '{not json'],
      ['POST', '/circuit-breakers/agent:researcher/reset', '[1,2]'],
      ['POST', '/circuit-breakers/agent:researcher/reset', '"text"'],
      ['GET', '/circuit-breakers/%E0%A4%A', undefined],
      ['GET', '/circuit-breakers/a/b/c', undefined],
      ['GET', '/circuit-breakers//', undefined],
    ];
    for (const [method, path, body] of cases) {
      const res = await send(server.url, method, path, {
        ...auth,
        ...(body !== undefined ? { body } : {}),
      });
      expect(res.status, `${method} ${path} ${body ?? ''}`).toBe(400);
      expect(res.json<{ error: { code: string } }>().error.code).toBe('bad_request');
    }
    expect(registry.peek('agent:researcher')?.epoch).toBe(0);
    const ok = await send(server.url, 'POST', '/circuit-breakers/agent:researcher/open', {
      headers: { ...bearer(TOKEN), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(ok.status).toBe(200);
  });

  it('answers 413 for oversized bodies', async () => {
    const { server } = await start();
    const res = await send(server.url, 'POST', '/circuit-breakers/agent:researcher/reset', {
      headers: bearer(TOKEN),
      body: JSON.stringify({ pad: 'x'.repeat(10_000) }),
    });
    expect(res.status).toBe(413);
  });

  it('answers 405 with Allow for the wrong method', async () => {
    const { server } = await start();
    const cases: Array<[string, string, string]> = [
      ['GET', '/circuit-breakers/agent:researcher/reset', 'POST'],
      ['DELETE', '/circuit-breakers/agent:researcher', 'GET, HEAD'],
      ['POST', '/circuit-breakers', 'GET, HEAD'],
      ['PUT', '/', 'GET, HEAD'],
      ['OPTIONS', '/circuit-breakers', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const res = await send(server.url, method, path, { headers: bearer(TOKEN) });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.allow).toBe(allow);
      // No CORS grant: a page on another origin cannot preflight its way to a POST.
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('serves health, HEAD and security headers', async () => {
    const { server } = await start();
    const health = await send(server.url, 'GET', '/healthz');
    expect(health.json()).toEqual({ status: 'ok' });
    expect(health.headers['cache-control']).toBe('no-store');
    expect(health.headers['x-content-type-options']).toBe('nosniff');
    expect(health.headers['content-security-policy']).toContain("default-src 'none'");
    const head = await send(server.url, 'HEAD', '/circuit-breakers');
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
  });

  it('serves the status page with a strict CSP that allows only its own inline code', async () => {
    const { server } = await start();
    const page = await send(server.url, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.text).not.toMatch(/<script[^>]+src=|<link[^>]+stylesheet|https?:\/\/(?!www\.w3)/);
  });

  it('survives malformed HTTP and keeps answering', async () => {
    const { server } = await start();
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(server.port, '127.0.0.1', () =>
        socket.write('GARBAGE \u0000\r\n\r\n'),
      );
      let data = '';
      socket.on('data', (c) => (data += c.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await send(server.url, 'GET', '/healthz')).status).toBe(200);
  });
});

describe('parseAdminRoute', () => {
  it('splits before decoding, so %2F stays inside a name', () => {
    expect(parseAdminRoute('/circuit-breakers/a%2Fb/reset?x=1')).toEqual({
      kind: 'action',
      name: 'a/b',
      action: 'reset',
    });
    expect(parseAdminRoute('/circuit-breakers/agent:x')).toEqual({
      kind: 'breaker',
      name: 'agent:x',
    });
    expect(parseAdminRoute('http://evil/circuit-breakers').kind).toBe('bad_path');
    expect(parseAdminRoute('/circuit-breakers/' + 'x'.repeat(2000)).kind).toBe('bad_path');
    expect(parseAdminRoute('/circuit-breakersx').kind).toBe('not_found');
  });
});

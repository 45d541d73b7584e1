// Built-in fetch (Node's bundled undici: 6.x on Node 22, 7.x on 24, 8.x on 26). Kept alone in this
// file so the compatibility run can execute it under each Node major:
//   npx -y -p node@22 node node_modules/vitest/vitest.mjs run test/transport/builtin-fetch.test.ts
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CIRCUIT_OPEN_CODE, CircuitOpenError } from '../../src/core/errors.js';
import {
  disableUndiciTransport,
  enableUndiciTransport,
} from '../../src/transport/undici/undici-transport.js';
import { OriginCache } from '../../src/transport/targets/origin-cache.js';
import { HEADER_CIRCUIT_BREAKER } from '../../src/semconv.js';
import { answers, CountingServer, deadPort, sleep } from './support/counting-server.js';
import { rule, transportFixture, type RuleOptions } from './support/transport-fixture.js';

let server: CountingServer;
let other: CountingServer;

beforeAll(async () => {
  server = await CountingServer.start();
  other = await CountingServer.start();
});
afterAll(async () => {
  disableUndiciTransport();
  await server.close();
  await other.close();
});
afterEach(() => {
  disableUndiciTransport();
  server.reset();
  other.reset();
});

function protect(options: RuleOptions = {}, name = server.hostPort) {
  const fixture = transportFixture([rule(name, options)]);
  enableUndiciTransport(fixture.resolve);
  return fixture.breaker(name);
}

async function fetchError(
  url: string,
  init?: RequestInit,
): Promise<TypeError & { cause?: unknown }> {
  return fetch(url, init).then(
    () => {
      throw new Error('expected fetch to fail');
    },
    (error: TypeError & { cause?: unknown }) => error,
  );
}

describe(`built-in fetch (Node ${process.version}, undici ${process.versions.undici})`, () => {
  it('rejects with TypeError("fetch failed") caused by CircuitOpenError, opening no connection', async () => {
    const breaker = protect();
    breaker.forceOpen();
    const error = await fetchError(server.url('/x'));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('fetch failed');
    expect(error.cause).toBeInstanceOf(CircuitOpenError);
    expect((error.cause as CircuitOpenError).code).toBe(CIRCUIT_OPEN_CODE);
    expect((error.cause as CircuitOpenError).breakerName).toBe(server.hostPort);
    expect(server.connections).toBe(0);
    expect(server.requests).toBe(0);
    expect(breaker.counters.rejected).toBe(1);
  });

  it('trips on 5xx, then rejects while open without any connection', async () => {
    const breaker = protect({ failureThreshold: 3 });
    server.answer = answers.status(500);
    for (let i = 0; i < 3; i++) expect((await fetch(server.url('/'))).status).toBe(500);
    expect(breaker.currentState).toBe('open');
    const before = { connections: server.connections, requests: server.requests };
    for (let i = 0; i < 5; i++)
      expect((await fetchError(server.url('/'))).cause).toBeInstanceOf(CircuitOpenError);
    expect(server.connections).toBe(before.connections);
    expect(server.requests).toBe(before.requests);
  });

  it('answers a synthetic 503 with rejectWith: response', async () => {
    const breaker = protect({ rejectWith: 'response' });
    breaker.forceOpen();
    const res = await fetch(server.url('/v1/chat'));
    expect(res.status).toBe(503);
    expect(res.headers.get('x-should-retry')).toBe('false');
    expect(res.headers.get(HEADER_CIRCUIT_BREAKER)).toBe(`${server.hostPort}; state=forced_open`);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(0);
    expect(res.headers.get('retry-after-ms')).not.toBeNull();
    const body = (await res.json()) as { error: { type: string; circuit_breaker: string } };
    expect(body.error.type).toBe('circuit_open');
    expect(body.error.circuit_breaker).toBe(server.hostPort);
    expect(server.connections).toBe(0);
  });

  it('opens for the Retry-After of a 429', async () => {
    const breaker = protect({ failureThreshold: 100 });
    server.answer = answers.status(429, { 'retry-after': '7' });
    expect((await fetch(server.url('/'))).status).toBe(429);
    expect(breaker.currentState).toBe('open');
    expect(breaker.retryAfterMs()).toBeGreaterThan(6000);
    expect(breaker.retryAfterMs()).toBeLessThanOrEqual(7000);
    expect(breaker.status().lastError?.message ?? '').toContain('429');
  });

  it('counts 4xx as success and records at headers, before the body ends', async () => {
    const breaker = protect();
    server.route('/missing', answers.status(404));
    server.route('/slow', answers.slowBody(300));
    expect((await fetch(server.url('/missing'))).status).toBe(404);
    const res = await fetch(server.url('/slow'));
    expect(breaker.counters.successes).toBe(2);
    expect(await res.text()).toBe('first-last');
  });

  it('judges slowness by time to response headers, not by how long the body streams', async () => {
    const breaker = protect({ slowCallDurationMs: 100 });
    server.route('/late-headers', answers.slowHeaders(250));
    server.route('/long-body', answers.slowBody(250));
    expect(await (await fetch(server.url('/long-body'))).text()).toBe('first-last');
    expect(breaker.counters.slowCalls).toBe(0);
    expect(await (await fetch(server.url('/late-headers'))).text()).toBe('late');
    expect(breaker.counters.slowCalls).toBe(1);
    expect(breaker.counters.successes).toBe(2);
  });

  it('keeps keep-alive: two sequential requests share one connection', async () => {
    protect();
    const connectionsAfter: number[] = [];
    for (let i = 0; i < 3; i++) {
      await (await fetch(server.url('/'))).text();
      await sleep(20); // the socket returns to the pool a tick after the body ends
      connectionsAfter.push(server.connections);
    }
    expect(server.requests).toBe(3);
    // The first request may reuse a socket an earlier test left in the pool; none opens another.
    expect(connectionsAfter[2]).toBe(connectionsAfter[0]);
    expect(connectionsAfter[0]).toBeLessThanOrEqual(1);
  });

  it('counts connection refused as a failure', async () => {
    const port = await deadPort();
    const breaker = protect({}, `127.0.0.1:${port}`);
    const error = await fetchError(`http://127.0.0.1:${port}/`);
    expect(error.message).toBe('fetch failed');
    expect(breaker.counters.failures).toBe(1);
    expect(breaker.status().lastError?.kind).toBe('connection');
  });

  it('counts a caller abort as ignored', async () => {
    const breaker = protect();
    server.answer = answers.hang;
    const controller = new AbortController();
    const pending = fetch(server.url('/'), { signal: controller.signal });
    await sleep(50);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await sleep(10);
    expect(breaker.counters.ignored).toBe(1);
    expect(breaker.counters.failures).toBe(0);
  });

  it('lets unlisted hosts through untouched', async () => {
    const breaker = protect();
    breaker.forceOpen();
    expect(await (await fetch(other.url('/'))).text()).toBe('ok');
    expect(breaker.counters.rejected).toBe(0);
  });

  it('an unlisted host costs at most one origin map lookup per fetch (Agent -> Pool -> Client)', async () => {
    protect().forceOpen();
    const lookups = vi.spyOn(OriginCache.prototype as unknown as { lookup(): unknown }, 'lookup');
    try {
      for (let i = 0; i < 3; i++) {
        lookups.mockClear();
        expect(await (await fetch(other.url('/'))).text()).toBe('ok');
        expect(lookups.mock.calls.length).toBeLessThanOrEqual(1);
      }
    } finally {
      lookups.mockRestore();
    }
  });

  it('observe mode lets every call through and counts shadow rejections', async () => {
    const breaker = protect({ mode: 'observe', failureThreshold: 1 });
    server.route('/fail', answers.status(500));
    await fetch(server.url('/fail'));
    expect(breaker.currentState).toBe('open');
    expect((await fetch(server.url('/'))).status).toBe(200);
    expect(server.requests).toBe(2);
    expect(breaker.counters.shadowRejections).toBe(1);
  });

  it('after disable, a request to an open host goes through', async () => {
    const breaker = protect();
    breaker.forceOpen();
    disableUndiciTransport();
    expect((await fetch(server.url('/'))).status).toBe(200);
    expect(server.requests).toBe(1);
  });
});

// npm undici 6, 7 and 8 (aliases undici6, undici7, undici): every API a caller may use, plain HTTP
// and HTTPS with a self-signed certificate, against loopback servers counting connections.
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as undici6 from 'undici6';
import * as undici7 from 'undici7';
import * as undici8 from 'undici';
import { CircuitOpenError } from '../../src/core/errors.js';
import { OriginCache } from '../../src/transport/targets/origin-cache.js';
import { HEADER_CIRCUIT_BREAKER } from '../../src/semconv.js';
import {
  disableUndiciTransport,
  enableUndiciTransport,
  patchUndiciModule,
} from '../../src/transport/undici/undici-transport.js';
import { createSelfSignedCertificate, type TestCertificate } from './support/certificate.js';
import { answers, CountingServer, sleep } from './support/counting-server.js';
import { rule, transportFixture, type RuleOptions } from './support/transport-fixture.js';
import { rejection } from './support/rejection.js';

type Undici = typeof undici8;
const copies: Array<[string, Undici]> = [
  ['undici 6', undici6 as unknown as Undici],
  ['undici 7', undici7 as unknown as Undici],
  ['undici 8', undici8],
];

let certificate: TestCertificate;
let plain: CountingServer;
let secure: CountingServer;

beforeAll(async () => {
  certificate = createSelfSignedCertificate();
  plain = await CountingServer.start('http:');
  secure = await CountingServer.start('https:', certificate);
  for (const [, u] of copies) patchUndiciModule(u);
});
afterAll(async () => {
  disableUndiciTransport();
  await plain.close();
  await secure.close();
});
afterEach(() => {
  disableUndiciTransport();
  plain.reset();
  secure.reset();
});

function protect(server: CountingServer, options: RuleOptions = {}) {
  const fixture = transportFixture([rule(server.hostPort, options)]);
  enableUndiciTransport(fixture.resolve);
  return fixture.breaker(server.hostPort);
}

const drain = () =>
  new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });

describe.each(copies)('%s', (_label, u) => {
  describe.each([['http:'], ['https:']] as const)('%s', (protocol) => {
    const server = () => (protocol === 'http:' ? plain : secure);
    const tls = () => (protocol === 'https:' ? { connect: { ca: certificate.cert } } : {});
    let agent: InstanceType<Undici['Agent']>;
    beforeAll(() => {
      agent = new u.Agent(tls());
    });
    afterAll(async () => {
      await agent.close();
    });

    it('request: rejects with the CircuitOpenError itself, no connection', async () => {
      const breaker = protect(server());
      breaker.forceOpen();
      const error = await rejection(u.request(server().url('/x'), { dispatcher: agent }));
      expect(error).toBeInstanceOf(CircuitOpenError);
      expect(server().connections).toBe(0);
      expect(breaker.counters.rejected).toBe(1);
    });

    it('fetch: TypeError("fetch failed") caused by the CircuitOpenError', async () => {
      protect(server()).forceOpen();
      const error = (await rejection(
        u.fetch(server().url('/x'), { dispatcher: agent }),
      )) as TypeError;
      expect(error.message).toBe('fetch failed');
      expect(error.cause).toBeInstanceOf(CircuitOpenError);
      expect(server().connections).toBe(0);
    });

    it('stream, Client, Pool and a composed dispatcher all reject while open', async () => {
      protect(server()).forceOpen();
      const origin = server().origin;
      expect(
        await rejection(u.stream(server().url('/'), { method: 'GET', dispatcher: agent }, drain)),
      ).toBeInstanceOf(CircuitOpenError);
      const client = new u.Client(origin, tls());
      const pool = new u.Pool(origin, tls());
      const composed = agent.compose((dispatch) => (opts, handler) => dispatch(opts, handler));
      expect(await rejection(client.request({ path: '/', method: 'GET' }))).toBeInstanceOf(
        CircuitOpenError,
      );
      expect(await rejection(pool.request({ path: '/', method: 'GET' }))).toBeInstanceOf(
        CircuitOpenError,
      );
      expect(
        await rejection(u.request(server().url('/'), { dispatcher: composed })),
      ).toBeInstanceOf(CircuitOpenError);
      expect(server().connections).toBe(0);
      await client.close();
      await pool.close();
    });

    it('rejectWith response: request and fetch get the synthetic 503', async () => {
      protect(server(), { rejectWith: 'response' }).forceOpen();
      const res = await u.request(server().url('/'), { dispatcher: agent });
      expect(res.statusCode).toBe(503);
      expect(res.headers[HEADER_CIRCUIT_BREAKER]).toContain(server().hostPort);
      expect(res.headers['x-should-retry']).toBe('false');
      expect(((await res.body.json()) as { error: { type: string } }).error.type).toBe(
        'circuit_open',
      );
      const fetched = await u.fetch(server().url('/'), { dispatcher: agent });
      expect(fetched.status).toBe(503);
      await fetched.text();
      expect(server().connections).toBe(0);
    });

    it('records outcomes of every API once per request (Agent, Client, Pool queue, stream, compose)', async () => {
      const breaker = protect(server());
      server().route('/fail', answers.status(500));
      const origin = server().origin;
      await (await u.request(server().url('/'), { dispatcher: agent })).body.text();
      await (await u.fetch(server().url('/'), { dispatcher: agent })).text();
      await u.stream(server().url('/'), { method: 'GET', dispatcher: agent }, drain);
      const client = new u.Client(origin, tls());
      await (await client.request({ path: '/', method: 'GET' })).body.text();
      const pool = new u.Pool(origin, { ...tls(), connections: 1 });
      await Promise.all(
        [1, 2, 3].map(async () => (await pool.request({ path: '/', method: 'GET' })).body.text()),
      );
      const composed = agent.compose((dispatch) => (opts, handler) => dispatch(opts, handler));
      await (await u.request(server().url('/fail'), { dispatcher: composed })).body.text();
      expect(breaker.counters.successes).toBe(7);
      expect(breaker.counters.failures).toBe(1);
      expect(server().requests).toBe(8);
      await client.close();
      await pool.close();
    });

    it('counts a caller abort as ignored', async () => {
      const breaker = protect(server());
      server().answer = answers.hang;
      const controller = new AbortController();
      const pending = u.request(server().url('/'), {
        dispatcher: agent,
        signal: controller.signal,
      });
      await sleep(50);
      controller.abort();
      await rejection(pending);
      await sleep(10);
      expect(breaker.counters.ignored).toBe(1);
      expect(breaker.counters.failures).toBe(0);
    });

    it('after disable, requests to an open host go through', async () => {
      protect(server()).forceOpen();
      disableUndiciTransport();
      const res = await u.request(server().url('/'), { dispatcher: agent });
      expect(res.statusCode).toBe(200);
      await res.body.text();
    });
  });

  it('the global dispatcher (plain u.request without dispatcher) is covered', async () => {
    const breaker = protect(plain);
    breaker.forceOpen();
    expect(await rejection(u.request(plain.url('/')))).toBeInstanceOf(CircuitOpenError);
    expect(plain.connections).toBe(0);
  });

  it('an unlisted host costs at most one origin map lookup per request through Agent -> Pool -> Client', async () => {
    protect(secure).forceOpen();
    const agent = new u.Agent();
    const lookups = vi.spyOn(OriginCache.prototype as unknown as { lookup(): unknown }, 'lookup');
    try {
      for (let i = 0; i < 3; i++) {
        lookups.mockClear();
        const res = await u.request(plain.url('/'), { dispatcher: agent });
        expect(await res.body.text()).toBe('ok');
        expect(lookups.mock.calls.length).toBeLessThanOrEqual(1);
      }
    } finally {
      lookups.mockRestore();
      await agent.close();
    }
  });
});

// circuitBreakerInterceptor on npm undici 7 and 8 (and 6, whose compose exists), against real
// loopback servers that count connections: fetch, request and the global dispatcher; rejectWith;
// composition with undici's own interceptors in both orders; and a request that passes both the
// interceptor and the global hook is decided once.
import { Agent as HttpAgent } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CircuitBreakerInstrumentation } from '../../../src/instrumentation.js';
import { BreakerRegistry } from '../../../src/registry/breaker-registry.js';
import { circuitBreakerInterceptor } from '../../../src/transport/undici/circuit-breaker-interceptor.js';
import {
  disableUndiciTransport,
  enableUndiciTransport,
  patchedUndiciPrototypes,
} from '../../../src/transport/undici/undici-transport.js';
import { freePort } from '../../utils/free-port.js';
import { isConfigError } from '../../../src/config/config-error.js';
import { MAJORS, type Undici } from '../../equivalence/support/majors.js';
import { answers, CountingServer } from '../support/counting-server.js';
import { rule, transportFixture } from '../support/transport-fixture.js';

type Dispatcher = InstanceType<Undici['Agent']>;
type Interceptor = Parameters<Dispatcher['compose']>[0];

let server: CountingServer;
let other: CountingServer;
/** Answers 503 to the first request of each `?id=`, 200 to the next ones. */
const attempts = new Map<string, number>();
beforeAll(async () => {
  server = await CountingServer.start();
  other = await CountingServer.start();
});
afterAll(async () => {
  await server.close();
  await other.close();
});
afterEach(() => {
  disableUndiciTransport();
  server.reset();
  other.reset();
  attempts.clear();
});

function routes(): void {
  server.route('/flaky', (req, res) => {
    const id = new URL(req.url ?? '/', 'http://x').searchParams.get('id') ?? '';
    const n = (attempts.get(id) ?? 0) + 1;
    attempts.set(id, n);
    res.writeHead(n === 1 ? 503 : 200, { 'retry-after': '0' }).end(`attempt ${n}`);
  });
  server.route('/down', answers.status(500));
  server.route('/hop', (_req, res) => res.writeHead(302, { location: other.url('/') }).end());
  server.route('/cached', (_req, res) =>
    res.writeHead(200, { 'cache-control': 'public, max-age=60' }).end('cached'),
  );
}

/** Retries 503s and connection errors quickly, so a retried rejection would show at once. */
const RETRY = { maxRetries: 3, minTimeout: 5, maxTimeout: 5, timeoutFactor: 1, statusCodes: [503] };

function guarded(options: { rejectWith?: 'error' | 'response'; hosts?: string[] } = {}) {
  const registry = new BreakerRegistry();
  const hosts = options.hosts ?? [server.hostPort, other.hostPort];
  const settings = { failureThreshold: 3, minimumCalls: 1000, rejectWith: options.rejectWith };
  const interceptor = circuitBreakerInterceptor({
    hosts: Object.fromEntries(hosts.map((h) => [h, settings])),
    registry,
  }) as Interceptor;
  const counts = (host = server.hostPort) => {
    const { successes, failures, rejected } = registry.get(host).counters;
    return { successes, failures, rejected };
  };
  return { interceptor, registry, counts };
}

const codeOf = (error: unknown): unknown => {
  const e = error as { code?: unknown; cause?: { code?: unknown } };
  return e.code ?? e.cause?.code;
};

async function text(dispatcher: Dispatcher, path: string): Promise<string> {
  const res = await dispatcher.request({ origin: server.origin, path, method: 'GET' });
  return `${res.statusCode} ${await res.body.text()}`;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return codeOf(error);
  }
  return 'no error';
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const { name, major, u } of MAJORS) {
  describe(`${name}: circuitBreakerInterceptor`, () => {
    it('fetch, request and the global dispatcher are decided; open: nothing is sent', async () => {
      routes();
      const { interceptor, registry, counts } = guarded();
      const dispatcher = new u.Agent().compose(interceptor) as Dispatcher;
      const res = await u.fetch(server.url('/'), { dispatcher });
      expect(await res.text()).toBe('ok');
      expect(await text(dispatcher, '/')).toBe('200 ok');
      const previous = u.getGlobalDispatcher();
      u.setGlobalDispatcher(new u.Agent().compose(interceptor));
      try {
        expect((await u.request(server.url('/'))).statusCode).toBe(200);
        expect(counts()).toEqual({ successes: 3, failures: 0, rejected: 0 });
        registry.get(server.hostPort).forceOpen();
        const before = { ...server };
        const fresh = new u.Agent().compose(interceptor) as Dispatcher;
        expect(await failure(u.fetch(server.url('/'), { dispatcher: fresh }))).toBe('ECIRCUITOPEN');
        expect(await failure(u.request(server.url('/')))).toBe('ECIRCUITOPEN');
        expect(await failure(text(fresh, '/'))).toBe('ECIRCUITOPEN');
        expect(counts().rejected).toBe(3);
        expect({ c: server.connections, r: server.requests }).toEqual({
          c: before.connections,
          r: before.requests,
        });
        await fresh.close();
      } finally {
        u.setGlobalDispatcher(previous);
        await dispatcher.close();
      }
    });

    it('on a Pool: a request naming no origin is decided on undici 8, passes on 6 and 7', async () => {
      routes();
      const { interceptor, registry, counts } = guarded();
      const pool = new u.Pool(server.origin);
      const dispatcher = pool.compose(interceptor) as Dispatcher;
      try {
        const res = await dispatcher.request({ path: '/', method: 'GET' });
        expect(`${res.statusCode} ${await res.body.text()}`).toBe('200 ok');
        // undici 8 fills in the origin of the Client or Pool a chain is composed on.
        expect(counts().successes).toBe(major >= 8 ? 1 : 0);
        registry.get(server.hostPort).forceOpen();
        const requests = server.requests;
        const open = dispatcher.request({ path: '/', method: 'GET' });
        if (major >= 8) {
          expect(await failure(open)).toBe('ECIRCUITOPEN');
          expect(server.requests).toBe(requests);
        } else {
          await (await open).body.text();
          expect(server.requests).toBe(requests + 1);
        }
        // Naming the origin works everywhere.
        expect(await failure(text(dispatcher, '/'))).toBe('ECIRCUITOPEN');
      } finally {
        await pool.close();
      }
    });

    it('unlisted origins pass untouched; 5xx count as failures', async () => {
      routes();
      const { interceptor, counts } = guarded({ hosts: [other.hostPort] });
      const dispatcher = new u.Agent().compose(interceptor) as Dispatcher;
      expect(await text(dispatcher, '/down')).toMatch(/^500 /);
      const g = guarded();
      const d2 = new u.Agent().compose(g.interceptor) as Dispatcher;
      expect(await text(d2, '/down')).toMatch(/^500 /);
      expect(counts(other.hostPort)).toEqual({ successes: 0, failures: 0, rejected: 0 });
      expect(g.counts()).toEqual({ successes: 0, failures: 1, rejected: 0 });
      await dispatcher.close();
      await d2.close();
    });

    if (major === 6) return; // the compositions below need undici 7+ interceptors

    it('rejectWith response: a synthetic 503 with nothing sent', async () => {
      const { interceptor, registry, counts } = guarded({ rejectWith: 'response' });
      registry.get(server.hostPort).forceOpen();
      const dispatcher = new u.Agent().compose(interceptor) as Dispatcher;
      const res = await u.fetch(server.url('/'), { dispatcher });
      expect(res.status).toBe(503);
      expect(res.headers.get('x-should-retry')).toBe('false');
      expect(res.headers.get('x-circuit-breaker')).toBe(`${server.hostPort}; state=forced_open`);
      expect(JSON.parse(await res.text()).error.type).toBe('circuit_open');
      expect(counts().rejected).toBe(1);
      expect(server.connections).toBe(0);
      await dispatcher.close();
    });

    it('outside retry(): one decision per logical request', async () => {
      routes();
      const { interceptor, counts } = guarded();
      const dispatcher = new u.Agent().compose(
        u.interceptors.retry(RETRY),
        interceptor,
      ) as Dispatcher;
      expect(await text(dispatcher, '/flaky?id=a')).toBe('200 attempt 2');
      expect(server.requests).toBe(2);
      expect(counts()).toEqual({ successes: 1, failures: 0, rejected: 0 });
      await dispatcher.close();
    });

    it('inside retry(): one decision per attempt; into an open circuit it stops at once', async () => {
      routes();
      const { interceptor, registry, counts } = guarded();
      const dispatcher = new u.Agent().compose(
        interceptor,
        u.interceptors.retry(RETRY),
      ) as Dispatcher;
      expect(await text(dispatcher, '/flaky?id=b')).toBe('200 attempt 2');
      expect(counts()).toEqual({ successes: 1, failures: 1, rejected: 0 });
      registry.get(server.hostPort).forceOpen();
      const requests = server.requests;
      expect(await failure(text(dispatcher, '/flaky?id=c'))).toBe('ECIRCUITOPEN');
      await wait(100); // several retry delays: a retried rejection would be counted again by now
      expect(counts().rejected).toBe(1);
      expect(server.requests).toBe(requests);
      await dispatcher.close();
    });

    it('inside redirect(): each hop is judged by its own host', async () => {
      routes();
      const { interceptor, registry, counts } = guarded();
      const dispatcher = new u.Agent().compose(
        interceptor,
        u.interceptors.redirect({ maxRedirections: 2 }),
      ) as Dispatcher;
      expect(await text(dispatcher, '/hop')).toBe('200 ok');
      expect(counts()).toEqual({ successes: 1, failures: 0, rejected: 0 });
      expect(counts(other.hostPort)).toEqual({ successes: 1, failures: 0, rejected: 0 });
      registry.get(other.hostPort).forceOpen();
      const connections = other.connections;
      expect(await failure(text(dispatcher, '/hop'))).toBe('ECIRCUITOPEN');
      expect(counts().successes).toBe(2);
      expect(counts(other.hostPort).rejected).toBe(1);
      expect(other.connections).toBe(connections);
      await dispatcher.close();
    });

    it('inside cache(): a cache hit is not a call', async () => {
      routes();
      const { interceptor, counts } = guarded();
      const dispatcher = new u.Agent().compose(interceptor, u.interceptors.cache()) as Dispatcher;
      expect(await text(dispatcher, '/cached')).toBe('200 cached');
      expect(await text(dispatcher, '/cached')).toBe('200 cached');
      expect(server.requests).toBe(1);
      expect(counts()).toEqual({ successes: 1, failures: 0, rejected: 0 });
      await dispatcher.close();
    });

    it('with responseError(): the caller gets its error, the breaker the failure', async () => {
      routes();
      const { interceptor, registry, counts } = guarded();
      const dispatcher = new u.Agent().compose(
        interceptor,
        u.interceptors.responseError(),
      ) as Dispatcher;
      const error = await text(dispatcher, '/down').catch((e: unknown) => e);
      expect((error as { statusCode?: number }).statusCode).toBe(500);
      expect(counts()).toEqual({ successes: 0, failures: 1, rejected: 0 });
      registry.get(server.hostPort).forceOpen();
      expect(await failure(text(dispatcher, '/down'))).toBe('ECIRCUITOPEN');
      await dispatcher.close();
    });

    it('outside dns(): decided under the host name the caller used', async () => {
      routes();
      const { interceptor, registry, counts } = guarded({ hosts: [`localhost:${server.port}`] });
      const dispatcher = new u.Agent().compose(
        u.interceptors.dns({ dualStack: false, affinity: 4 }),
        interceptor,
      ) as Dispatcher;
      const origin = `http://localhost:${server.port}`;
      const res = await dispatcher.request({ origin, path: '/', method: 'GET' });
      expect(await res.body.text()).toBe('ok');
      expect(counts(`localhost:${server.port}`).successes).toBe(1);
      registry.get(`localhost:${server.port}`).forceOpen();
      const connections = server.connections;
      const refused = dispatcher.request({ origin, path: '/', method: 'GET' });
      expect(await failure(refused)).toBe('ECIRCUITOPEN');
      expect(server.connections).toBe(connections);
      await dispatcher.close();
    });

    it('with the global hook on as well, a request is decided once (by the interceptor)', async () => {
      routes();
      const fixture = transportFixture([rule(server.hostPort)]);
      enableUndiciTransport(fixture.resolve);
      const { interceptor, counts } = guarded();
      const direct = new u.Agent().compose(interceptor) as Dispatcher;
      expect(await text(direct, '/')).toBe('200 ok');
      const retrying = new u.Agent().compose(
        u.interceptors.retry(RETRY),
        interceptor,
      ) as Dispatcher;
      expect(await text(retrying, '/flaky?id=d')).toBe('200 attempt 2');
      const redirecting = new u.Agent().compose(
        interceptor,
        u.interceptors.redirect({ maxRedirections: 2 }),
      ) as Dispatcher;
      expect(await text(redirecting, '/hop')).toBe('200 ok');
      expect(counts()).toEqual({ successes: 3, failures: 0, rejected: 0 });
      const global = fixture.breaker(server.hostPort).counters;
      expect({ s: global.successes, f: global.failures, r: global.rejected }).toEqual({
        s: 0,
        f: 0,
        r: 0,
      });
      // A plain Agent, without the interceptor, is still decided by the global hook.
      const plain = new u.Agent() as Dispatcher;
      expect(await text(plain, '/')).toBe('200 ok');
      expect(fixture.breaker(server.hostPort).counters.successes).toBe(1);
      await Promise.all([direct, retrying, redirecting, plain].map((d) => d.close()));
    });
  });
}

describe('circuitBreakerInterceptor options', () => {
  it('are validated like the config, naming the source, field, value and what is allowed', () => {
    const bad = () =>
      circuitBreakerInterceptor({ hosts: { 'api.example.com': { failureThreshold: -1 } } });
    expect(bad).toThrow(/code \(circuitBreakerInterceptor\)/);
    expect(bad).toThrow(
      'hosts["api.example.com"].failureThreshold: got -1, expected an integer from 0 to 10000',
    );
    try {
      bad();
    } catch (error) {
      expect(isConfigError(error)).toBe(true);
    }
    expect(() =>
      circuitBreakerInterceptor({ hosts: ['a.com'], store: { type: 'memory' } } as never),
    ).toThrow(/store/);
    expect(() => circuitBreakerInterceptor({})).toThrow(/expected hosts, breakerName or both/);
    expect(() => circuitBreakerInterceptor({ hosts: ['http://a.com/path'] })).toThrow(/hosts/);
  });

  it('breakerName names the breaker of an origin; undefined leaves it unguarded', async () => {
    const { u } = MAJORS.find((m) => m.major === 8)!;
    const registry = new BreakerRegistry();
    const seen: string[] = [];
    const interceptor = circuitBreakerInterceptor({
      registry,
      breakerName: (origin) => {
        seen.push(origin);
        return origin === server.origin ? 'local-api' : undefined;
      },
    }) as Interceptor;
    const dispatcher = new u.Agent().compose(interceptor) as Dispatcher;
    expect(await text(dispatcher, '/')).toBe('200 ok');
    expect(await text(dispatcher, '/')).toBe('200 ok');
    const res = await dispatcher.request({ origin: other.origin, path: '/', method: 'GET' });
    await res.body.text();
    expect(seen).toEqual([server.origin, other.origin]);
    expect(registry.get('local-api').counters.successes).toBe(2);
    await dispatcher.close();
  });

  it('share the registry, so the instrumentation reports the same breakers', () => {
    const registry = new BreakerRegistry();
    circuitBreakerInterceptor({ hosts: ['a.example.com'], registry });
    const instrumentation = new CircuitBreakerInstrumentation({
      enabled: false,
      env: {},
      breakerRegistry: registry,
    });
    expect(instrumentation.registry).toBe(registry);
  });
});

describe('an instrumentation without hosts', () => {
  it('patches nothing, and its admin endpoint serves the interceptor breakers', async () => {
    const { u } = MAJORS.find((m) => m.major === 8)!;
    const registry = new BreakerRegistry();
    const port = await freePort();
    const addRequest = (HttpAgent.prototype as unknown as { addRequest: unknown }).addRequest;
    const instrumentation = new CircuitBreakerInstrumentation({
      env: {},
      breakerRegistry: registry,
      admin: { port },
    });
    try {
      expect(patchedUndiciPrototypes()).toBe(0);
      expect((HttpAgent.prototype as unknown as { addRequest: unknown }).addRequest).toBe(
        addRequest,
      );
      const interceptor = circuitBreakerInterceptor({
        hosts: [server.hostPort],
        registry,
      }) as Interceptor;
      const dispatcher = new u.Agent().compose(interceptor) as Dispatcher;
      expect(await text(dispatcher, '/')).toBe('200 ok');
      await dispatcher.close();
      // The endpoint starts on a later turn (its module loads on first use).
      let listed = '';
      for (let i = 0; i < 200 && listed === ''; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/circuit-breakers`).catch(() => undefined);
        if (res?.ok === true) listed = await res.text();
        else await new Promise((r) => setTimeout(r, 25));
      }
      expect(listed).toContain(`"${server.hostPort}"`);
    } finally {
      instrumentation.disable();
    }
  });
});

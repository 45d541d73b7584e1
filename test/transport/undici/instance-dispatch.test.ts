// How a dispatcher decides its requests, on npm undici 6, 7 and 8: a Client or Pool is judged once
// by the origin it was created for (an unlisted one then runs undici's own dispatch, with no code of
// ours per request), an Agent by each request's origin; a config change or disabling the hook takes
// every such decision back.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type * as undici8 from 'undici';
import { CircuitOpenError } from '../../../src/core/errors.js';
import {
  disableUndiciTransport,
  enableUndiciTransport,
} from '../../../src/transport/undici/undici-transport.js';
import { circuitBreakerInterceptor } from '../../../src/transport/undici/circuit-breaker-interceptor.js';
import { BreakerRegistry } from '../../../src/registry/breaker-registry.js';
import { MAJORS } from '../../equivalence/support/majors.js';
import { CountingServer } from '../support/counting-server.js';
import { rule, transportFixture } from '../support/transport-fixture.js';
import { rejection } from '../support/rejection.js';

/** Each copy's `dispatch` before any patch (importing MAJORS only remembers the modules). */
const originals = new Map(MAJORS.map(({ u }) => [u, u.Pool.prototype.dispatch]));

let guarded: CountingServer;
let other: CountingServer;

beforeAll(async () => {
  guarded = await CountingServer.start('http:');
  other = await CountingServer.start('http:');
});
afterAll(async () => {
  disableUndiciTransport();
  await guarded.close();
  await other.close();
});
afterEach(() => {
  disableUndiciTransport();
  guarded.reset();
  other.reset();
});

/** Enables the hook with `guarded` configured, and returns its breaker. */
function protectGuarded() {
  const fixture = transportFixture([rule(guarded.hostPort)]);
  enableUndiciTransport(fixture.resolve);
  return fixture.breaker(guarded.hostPort);
}

/** Enables the hook for a host no request here goes to. */
function protectNothingUsed() {
  enableUndiciTransport(transportFixture([rule('unused.invalid')]).resolve);
}

/** GET / on a Client or Pool (no `origin`: it goes where the dispatcher was created for). */
function getRoot(pool: undici8.Pool) {
  return pool.request({ path: '/', method: 'GET' });
}

async function status(promise: Promise<{ statusCode: number; body: { text(): Promise<string> } }>) {
  const response = await promise;
  await response.body.text();
  return response.statusCode;
}

for (const { name, u } of MAJORS) {
  describe(name, () => {
    it('an unlisted Pool runs undici’s own dispatch from its first request on', async () => {
      protectNothingUsed();
      const pool = new u.Pool(other.origin);
      try {
        expect(Object.hasOwn(pool, 'dispatch')).toBe(false);
        expect(await status(getRoot(pool))).toBe(200);
        expect(Object.hasOwn(pool, 'dispatch')).toBe(true);
        expect(pool.dispatch).toBe(originals.get(u));
        expect(await status(getRoot(pool))).toBe(200);
        expect(other.requests).toBe(2);
      } finally {
        await pool.close();
      }
    });

    it('a configured Pool decides every request, its Clients never again', async () => {
      const breaker = protectGuarded();
      const pool = new u.Pool(guarded.origin);
      try {
        expect(await status(getRoot(pool))).toBe(200);
        expect(breaker.counters.successes).toBe(1);
        breaker.forceOpen();
        expect(await rejection(getRoot(pool))).toBeInstanceOf(CircuitOpenError);
        expect(guarded.requests).toBe(1);
        expect(breaker.counters.rejected).toBe(1);
      } finally {
        await pool.close();
      }
    });

    it('an Agent decides each request by its origin', async () => {
      const breaker = protectGuarded();
      breaker.forceOpen();
      const agent = new u.Agent();
      try {
        for (let i = 0; i < 2; i++) {
          expect(await status(u.request(other.url('/'), { dispatcher: agent }))).toBe(200);
          expect(
            await rejection(u.request(guarded.url('/'), { dispatcher: agent })),
          ).toBeInstanceOf(CircuitOpenError);
        }
        expect(other.requests).toBe(2);
        expect(guarded.connections).toBe(0);
        expect(breaker.counters.rejected).toBe(2);
      } finally {
        await agent.close();
      }
    });

    it('a new config reaches a dispatcher that decided under the old one; disabling undoes it', async () => {
      protectNothingUsed();
      const pool = new u.Pool(guarded.origin);
      try {
        expect(await status(getRoot(pool))).toBe(200);
        protectGuarded().forceOpen();
        expect(await rejection(getRoot(pool))).toBeInstanceOf(CircuitOpenError);
        disableUndiciTransport();
        expect(Object.hasOwn(pool, 'dispatch')).toBe(false);
        expect(await status(getRoot(pool))).toBe(200);
        expect(guarded.requests).toBe(2);
      } finally {
        await pool.close();
      }
    });

    it('a subclass overriding dispatch keeps running on every request, and is decided', async () => {
      const breaker = protectGuarded();
      let calls = 0;
      class CountingPool extends u.Pool {
        override dispatch(...args: Parameters<undici8.Pool['dispatch']>): boolean {
          calls++;
          return super.dispatch(...args);
        }
      }
      const pool = new CountingPool(guarded.origin);
      try {
        expect(await status(getRoot(pool))).toBe(200);
        breaker.forceOpen();
        expect(await rejection(getRoot(pool))).toBeInstanceOf(CircuitOpenError);
        expect(calls).toBe(2);
        expect(Object.hasOwn(pool, 'dispatch')).toBe(false);
        expect(guarded.requests).toBe(1);
      } finally {
        await pool.close();
      }
    });

    it('a Pool first reached through an interceptor still decides its direct requests', async () => {
      const breaker = protectGuarded();
      const pool = new u.Pool(guarded.origin);
      const interceptor = circuitBreakerInterceptor({
        hosts: [guarded.hostPort],
        registry: new BreakerRegistry(),
      });
      const composed = pool.compose(interceptor as never);
      try {
        expect(
          await status(composed.request({ origin: guarded.origin, path: '/', method: 'GET' })),
        ).toBe(200);
        expect(breaker.counters.successes).toBe(0);
        // Still guarded by the hook itself (a new Client of the Pool would decide it anyway).
        expect(pool.dispatch).not.toBe(originals.get(u));
        breaker.forceOpen();
        expect(await rejection(getRoot(pool))).toBeInstanceOf(CircuitOpenError);
        expect(guarded.requests).toBe(1);
      } finally {
        await pool.close();
      }
    });

    it('an Agent’s Pool, reached only through the Agent’s decision, runs undici’s own dispatch', async () => {
      const breaker = protectGuarded();
      const pools: object[] = [];
      const agent = new u.Agent({
        factory: (origin: string | URL, options: object) => {
          const pool = new u.Pool(origin, options);
          pools.push(pool);
          return pool;
        },
      });
      try {
        expect(await status(u.request(guarded.url('/'), { dispatcher: agent }))).toBe(200);
        expect(pools).toHaveLength(1);
        expect((pools[0] as { dispatch: unknown }).dispatch).toBe(originals.get(u));
        breaker.forceOpen();
        expect(await rejection(u.request(guarded.url('/'), { dispatcher: agent }))).toBeInstanceOf(
          CircuitOpenError,
        );
        expect(breaker.counters.successes).toBe(1);
        expect(guarded.requests).toBe(1);
      } finally {
        await agent.close();
      }
    });
  });
}

import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { BreakerRegistry } from '../../src/registry/breaker-registry.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { SharedStateSync } from '../../src/fleet/shared-state-sync.js';
import type { StoreLogEvent } from '../../src/store/state-store.js';
import { eventually, OwnRedis, redisCli } from './redis-harness.js';

const DEFAULTS = {
  failureThreshold: 3,
  failureRateThreshold: 0.5,
  minimumCalls: 10,
  jitterRatio: 0,
};

describe('RedisStore faults (own redis-server: kill -9, restart, CLIENT KILL, slow)', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setup(
    own: OwnRedis,
    label: string,
    intervals = { flushIntervalMs: 100, resyncIntervalMs: 200 },
  ) {
    const logs: StoreLogEvent[] = [];
    const registry = new BreakerRegistry({ defaults: DEFAULTS });
    const store = new RedisStore({
      url: own.url,
      keyPrefix: 'faults',
      storeTimeoutMs: 200,
      connectionName: label,
      log: (e) => logs.push(e),
    });
    await store.whenReady();
    const sync = new SharedStateSync(store, intervals).attach(registry);
    cleanups.push(async () => {
      sync.detach();
      await store.close();
    });
    return {
      registry,
      store,
      sync,
      logs,
      breaker: (name: string) => (sync.track(registry.get(name)), registry.get(name)),
    };
  }

  it('keeps protecting calls on local state while Redis is down, logs once per change, reconciles after restart', async () => {
    const own = await OwnRedis.start();
    cleanups.push(() => own.kill());
    const a = await setup(own, 'fault-a');
    const b = await setup(own, 'fault-b');
    const ba = a.breaker('h');
    const bb = b.breaker('h');
    await Promise.all([a.store.whenSubscribed(), b.store.whenSubscribed()]);

    await own.kill();
    // Calls never wait on or fail because of the store.
    for (let i = 0; i < 20; i++) await expect(ba.execute(() => 'ok')).resolves.toBe('ok');
    await a.sync.flush();
    await eventually(() => !a.store.health().available, 'A sees the store unavailable');
    expect(await a.store.read('h')).toBeUndefined();
    expect(await a.store.acquirePermit('h', 1, 1000)).toBeNull();
    // Protection is kept during the outage: local failures still trip the local breaker.
    for (let i = 0; i < 3; i++)
      await expect(ba.execute(() => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(ba.currentState).toBe('open');
    await expect(ba.execute(() => 'sent')).rejects.toMatchObject({ code: 'ECIRCUITOPEN' });
    ba.forceOpen(); // decided while cut off: pushed on reconnect, since nothing newer exists

    await own.start();
    await eventually(
      () => a.store.health().available && b.store.health().available,
      'store available again',
    );
    await eventually(
      () => bb.currentState === 'forced_open',
      'B converges on the state A decided during the outage',
    );
    expect(a.logs.filter((e) => e.event === 'store.unavailable')).toHaveLength(1);
    expect(a.logs.filter((e) => e.event === 'store.available')).toHaveLength(1);
    expect(a.store.health().errors).toBeGreaterThan(0);
  });

  it('resyncs when the subscriber connection is killed (pub/sub drops messages while away)', async () => {
    const own = await OwnRedis.start();
    cleanups.push(() => own.kill());
    const a = await setup(own, 'kill-a', { flushIntervalMs: 60_000, resyncIntervalMs: 60_000 });
    const b = await setup(own, 'kill-b', { flushIntervalMs: 60_000, resyncIntervalMs: 60_000 });
    const bb = b.breaker('k');
    a.breaker('k');
    await b.store.whenSubscribed();
    let reconnects = 0;
    b.store.onReconnect(() => reconnects++);
    const list = await redisCli(own.port, 'client', 'list');
    const line = list.split('\n').find((l) => l.includes('name=kill-b:sub'));
    const id = /id=(\d+)/.exec(line ?? '')?.[1];
    expect(id).toBeDefined();
    await redisCli(own.port, 'client', 'kill', 'id', id!);
    // Committed while B's subscriber is away or reconnecting: only a resync can bring it.
    await a.store.transition('k', {
      expectedEpoch: 0,
      state: 'forced_open',
      reason: 'forced_open',
    });
    await eventually(() => reconnects > 0, 'subscriber reconnect reported');
    await eventually(() => bb.currentState === 'forced_open', 'B resynced');
  });

  it('bounds every call by storeTimeoutMs when Redis is slow, and never throws', async () => {
    const own = await OwnRedis.start();
    cleanups.push(() => own.kill());
    const a = await setup(own, 'slow-a', { flushIntervalMs: 60_000, resyncIntervalMs: 60_000 });
    const raw = new Redis(own.url);
    const probe = new Redis(own.url);
    raw.on('error', () => {});
    probe.on('error', () => {});
    cleanups.push(() => {
      raw.disconnect();
      probe.disconnect();
    });
    await Promise.all([raw.ping(), probe.ping()]);
    const sleeping = raw.call('DEBUG', 'SLEEP', '1');
    // The server is blocked once it no longer answers a ping quickly (ours are queued behind the sleep).
    await eventually(
      async () =>
        await Promise.race([
          probe.ping().then(() => false),
          new Promise<boolean>((r) => setTimeout(() => r(true), 100)),
        ]),
      'server asleep',
    );
    const results = await Promise.all([
      a.store.read('s'),
      a.store.transition('s', { expectedEpoch: 0, state: 'forced_open', reason: 'forced_open' }),
      a.store.flush('s', {
        calls: 1,
        failures: 1,
        slowCalls: 0,
        windowMs: 1000,
        windowBuckets: 10,
        minimumCalls: 1,
        failureRateThreshold: 0.5,
        slowCallRateThreshold: 0,
        openMs: 1000,
      }),
      a.store.acquirePermit('s', 1, 1000),
    ]);
    expect(results).toEqual([undefined, undefined, undefined, null]);
    expect(a.store.health().errors).toBe(4);
    await sleeping;
  });
});

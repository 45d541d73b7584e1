import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BreakerRegistry } from '../../src/registry/breaker-registry.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { SharedStateSync } from '../../src/fleet/shared-state-sync.js';
import type { SharedStateListener, StateStore } from '../../src/store/state-store.js';
import { eventually, OwnRedis, redisCli, uniquePrefix } from '../store/redis-harness.js';

const HOSTS = Array.from({ length: 300 }, (_, i) => `host-${i}.example.com`);

/** A real store whose pub/sub messages can be dropped on the floor, as a lost message would be. */
function deafened(store: StateStore): { store: StateStore; deaf: { on: boolean } } {
  const deaf = { on: false };
  const wrapped = Object.create(store) as StateStore;
  wrapped.subscribe = (listener: SharedStateListener) =>
    store.subscribe((m) => {
      if (!deaf.on) listener(m);
    });
  return { store: wrapped, deaf };
}

/** Commands Redis ran since the last reset, by name (from INFO commandstats), scripts' own included. */
async function commandCounts(port: number): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of (await redisCli(port, 'info', 'commandstats')).matchAll(
    /^cmdstat_([^:]+):calls=(\d+)/gm,
  ))
    out[m[1]!] = Number(m[2]);
  delete out.info;
  delete out['config|resetstat'];
  return out;
}

describe('resync through the change log (own redis-server)', () => {
  let redis: OwnRedis;
  const open: Array<{ sync: SharedStateSync; store: RedisStore }> = [];

  beforeAll(async () => {
    redis = await OwnRedis.start();
  }, 30_000);
  afterAll(async () => {
    await redis.kill();
  });
  afterEach(async () => {
    for (const i of open.splice(0)) {
      i.sync.detach();
      await i.store.close();
    }
  });

  async function instance(keyPrefix: string) {
    const registry = new BreakerRegistry({ defaults: { failureThreshold: 0, jitterRatio: 0 } });
    const redisStore = new RedisStore({ url: redis.url, keyPrefix, storeTimeoutMs: 2000 });
    await redisStore.whenReady();
    const { store, deaf } = deafened(redisStore);
    // Timers far apart: the test drives resync by hand.
    const sync = new SharedStateSync(store, {
      flushIntervalMs: 600_000,
      resyncIntervalMs: 600_000,
    }).attach(registry);
    open.push({ sync, store: redisStore });
    const breakers = HOSTS.map((h) => {
      const b = registry.get(h);
      sync.track(b);
      return b;
    });
    await redisStore.whenSubscribed();
    // The first look reads everything and records where each shard's log stands.
    await sync.resync();
    return { registry, store: redisStore, sync, deaf, breakers };
  }

  it('sends one command for a resync when nothing changed, whatever the number of breakers', async () => {
    const b = await instance(uniquePrefix('quiet'));
    await redisCli(redis.port, 'config', 'resetstat');
    await b.sync.resync();
    await b.sync.resync();
    const counts = await commandCounts(redis.port);
    expect(counts).toEqual({ mget: 2 });
  });

  it('reads each breaker once when an instance starts', async () => {
    await redisCli(redis.port, 'config', 'resetstat');
    await instance(uniquePrefix('start'));
    const counts = await commandCounts(redis.port);
    // A script's first run on a fresh server is an EVAL (after NOSCRIPT), the others EVALSHA.
    expect((counts.evalsha ?? 0) + (counts.eval ?? 0)).toBe(HOSTS.length);
  });

  it('brings an instance that missed a pub/sub message up to date within one resync, reading only what changed', async () => {
    const keyPrefix = uniquePrefix('missed');
    const a = await instance(keyPrefix);
    const b = await instance(keyPrefix);
    b.deaf.on = true;
    a.breakers[17]!.forceOpen();
    a.breakers[230]!.disable();
    await eventually(
      async () =>
        (await a.store.read(HOSTS[17]!))?.state === 'forced_open' &&
        (await a.store.read(HOSTS[230]!))?.state === 'disabled',
      'both changes stored',
    );
    // Give the lost messages every chance to have arrived: B must still not know.
    await new Promise((r) => setTimeout(r, 100));
    expect(b.breakers[17]!.currentState).toBe('closed');
    expect(b.breakers[230]!.currentState).toBe('closed');
    await redisCli(redis.port, 'config', 'resetstat');
    await b.sync.resync();
    expect(b.breakers[17]!.currentState).toBe('forced_open');
    expect(b.breakers[230]!.currentState).toBe('disabled');
    const counts = await commandCounts(redis.port);
    // One MGET, one ZRANGEBYSCORE per shard that moved, one read script per changed breaker.
    expect(counts.mget).toBe(1);
    expect(counts.zrangebyscore).toBeLessThanOrEqual(2);
    expect(counts.evalsha).toBe(2);
  });

  it('reads every breaker again after a reconnect (Redis may have lost data), and pushes back what it lost', async () => {
    const b = await instance(uniquePrefix('restart'));
    b.breakers[5]!.forceOpen();
    await eventually(
      async () => (await b.store.read(HOSTS[5]!))?.state === 'forced_open',
      'stored',
    );
    await redis.kill();
    await redis.start();
    await eventually(
      async () => (await b.store.read(HOSTS[5]!))?.state === 'forced_open',
      'pushed again after the restart',
      20_000,
    );
  }, 30_000);
});

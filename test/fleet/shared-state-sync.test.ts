import { afterEach, describe, expect, it } from 'vitest';
import { BreakerRegistry } from '../../src/registry/breaker-registry.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { SharedStateSync } from '../../src/fleet/shared-state-sync.js';
import { eventually, SHARED_REDIS_URL, uniquePrefix } from '../store/redis-harness.js';

/** Fleet-wide rules only: local consecutive-failure trips off, a rate rule with minimumCalls 10. */
const DEFAULTS = {
  failureThreshold: 0,
  failureRateThreshold: 0.5,
  minimumCalls: 10,
  halfOpenMaxCalls: 2,
  openSeconds: 30,
  jitterRatio: 0,
};

interface Instance {
  registry: BreakerRegistry;
  store: RedisStore;
  sync: SharedStateSync;
}

describe('SharedStateSync over RedisStore (instances = separate connections)', () => {
  const instances: Instance[] = [];
  let keyPrefix = '';

  async function instance(defaults: Record<string, unknown> = DEFAULTS): Promise<Instance> {
    const registry = new BreakerRegistry({ defaults });
    const store = new RedisStore({
      url: SHARED_REDIS_URL,
      keyPrefix,
      storeTimeoutMs: 1000,
      stateTtlMs: 60_000,
    });
    await store.whenReady();
    // Timers far apart: the tests drive flush/resync by hand, pub/sub delivers on its own.
    const sync = new SharedStateSync(store, {
      flushIntervalMs: 60_000,
      resyncIntervalMs: 60_000,
    }).attach(registry);
    const i = { registry, store, sync };
    instances.push(i);
    return i;
  }

  /** What the proposed core hook (registry → link on creation) will do: get and start following. */
  function get(i: Instance, name: string) {
    const b = i.registry.get(name);
    i.sync.track(b);
    return b;
  }

  afterEach(async () => {
    for (const i of instances.splice(0)) {
      i.sync.detach();
      await i.store.close();
    }
    keyPrefix = uniquePrefix('sync');
  });
  keyPrefix = uniquePrefix('sync');

  it('propagates a forced open from one instance to another at once (pub/sub)', async () => {
    const a = await instance();
    const b = await instance();
    const ba = get(a, 'api.example.com');
    const bb = get(b, 'api.example.com');
    await b.store.whenSubscribed();
    ba.forceOpen();
    await eventually(() => bb.currentState === 'forced_open', 'B forced open');
    await expect(bb.execute(() => 'sent')).rejects.toMatchObject({ code: 'ECIRCUITOPEN' });
    ba.reset();
    await eventually(() => bb.currentState === 'closed', 'B closed again');
  });

  it('trips the fleet on fleet-wide counts although neither instance reaches minimumCalls alone', async () => {
    const a = await instance();
    const b = await instance();
    const ba = get(a, 'flaky');
    const bb = get(b, 'flaky');
    for (let i = 0; i < 6; i++) {
      ba.recordFailure(new Error('boom'));
      bb.recordFailure(new Error('boom'));
    }
    expect(ba.currentState).toBe('closed');
    expect(bb.currentState).toBe('closed');
    await a.sync.flush();
    await b.sync.flush();
    await eventually(() => ba.currentState === 'open' && bb.currentState === 'open', 'both open');
    expect((await a.store.read('flaky'))?.reason).toBe('fleet_failure_rate');
  });

  it("keeps one instance's local trouble local while the fleet is healthy", async () => {
    const a = await instance();
    const b = await instance();
    const ba = get(a, 'mixed');
    const bb = get(b, 'mixed');
    for (let i = 0; i < 40; i++) bb.recordSuccess(1);
    await b.sync.flush();
    for (let i = 0; i < 10; i++) ba.recordFailure(new Error('local network'));
    expect(ba.currentState).toBe('open'); // local trip (failure_rate) protects instance A
    await a.sync.flush();
    await b.sync.resync();
    expect(bb.currentState).toBe('closed');
    expect((await a.store.read('mixed'))?.state).toBe('closed');
  });

  it('shows a new instance an open circuit, and the new instance does not reset it', async () => {
    const a = await instance();
    const ba = get(a, 'open-at-start');
    ba.forceOpen();
    await eventually(
      async () => (await a.store.read('open-at-start'))?.state === 'forced_open',
      'stored',
    );
    const c = await instance();
    const bc = get(c, 'open-at-start');
    await eventually(() => bc.currentState === 'forced_open', 'new instance sees it open');
    await c.sync.resync();
    await c.sync.flush();
    expect((await c.store.read('open-at-start'))?.state).toBe('forced_open');
    expect(ba.currentState).toBe('forced_open');
  });

  it('follows the winner when two instances race on one epoch', async () => {
    const a = await instance();
    const b = await instance();
    const ba = get(a, 'race');
    const bb = get(b, 'race');
    await Promise.all([a.store.whenSubscribed(), b.store.whenSubscribed()]);
    ba.forceOpen();
    bb.disable();
    await eventually(
      () => ba.currentState === bb.currentState && ba.currentState !== 'closed',
      'same state',
    );
    await a.sync.resync();
    await b.sync.resync();
    const stored = await a.store.read('race');
    expect(ba.currentState).toBe(stored?.state);
    expect(bb.currentState).toBe(stored?.state);
  });

  it('budgets half-open probes fleet-wide: exactly halfOpenMaxCalls across instances', async () => {
    const fleet = [await instance(), await instance(), await instance()];
    const bs = fleet.map((i) => get(i, 'probe'));
    // Fleet open with its time already elapsed: every instance is half-open.
    await fleet[0]!.store.transition('probe', {
      expectedEpoch: 0,
      state: 'open',
      openMs: 0,
      reason: 'retry_after',
    });
    await Promise.all(fleet.map((i) => i.sync.resync()));
    expect(bs.map((b) => b.currentState)).toEqual(['half_open', 'half_open', 'half_open']);
    const leases = await Promise.all(
      fleet.flatMap((i, k) => Array.from({ length: 5 }, () => i.sync.acquireProbe(bs[k]!))),
    );
    expect(leases.filter((l) => l !== null).length).toBe(2);
  });
});

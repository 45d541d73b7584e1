import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BreakerRegistry } from '../../src/registry/breaker-registry.js';
import { MemoryBackend, MemoryStore } from '../../src/store/memory-store.js';
import { SharedStateSync } from '../../src/fleet/shared-state-sync.js';

/** 60 s window in 10 buckets: successes alone are sent at most every 6 s. */
const POLICY = { failureThreshold: 0, windowSeconds: 60, windowBuckets: 10, minimumCalls: 1000 };
const PEEK = {
  calls: 0,
  failures: 0,
  slowCalls: 0,
  windowMs: 60_000,
  windowBuckets: 10,
  minimumCalls: 1000,
  failureRateThreshold: 0.5,
  slowCallRateThreshold: 0,
  openMs: 1000,
};

describe('the flush timer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function setup() {
    const backend = new MemoryBackend();
    const store = new MemoryStore({ backend });
    const other = new MemoryStore({ backend });
    const registry = new BreakerRegistry({ defaults: POLICY });
    const sync = new SharedStateSync(store, { flushIntervalMs: 1000, resyncIntervalMs: 60_000 });
    sync.attach(registry);
    const b = registry.get('h');
    sync.track(b);
    const fleetCalls = async () => (await other.flush('h', PEEK)).calls;
    const tick = async (ms: number) => {
      await vi.advanceTimersByTimeAsync(ms);
    };
    return { sync, b, fleetCalls, tick };
  }

  it('sends successes alone once per window bucket, not every flushIntervalMs', async () => {
    const { sync, b, fleetCalls, tick } = await setup();
    for (let i = 0; i < 5; i++) b.recordSuccess(1);
    await tick(1000);
    expect(await fleetCalls()).toBe(5);
    for (let i = 0; i < 5; i++) b.recordSuccess(1);
    await tick(4000);
    expect(await fleetCalls()).toBe(5);
    await tick(2000);
    expect(await fleetCalls()).toBe(10);
    sync.detach();
  });

  it('sends a failure at the next tick, with the successes before it', async () => {
    const { sync, b, fleetCalls, tick } = await setup();
    b.recordSuccess(1);
    await tick(1000);
    for (let i = 0; i < 3; i++) b.recordSuccess(1);
    b.recordFailure(new Error('boom'));
    await tick(1000);
    expect(await fleetCalls()).toBe(5);
    sync.detach();
  });

  it('flush() sends everything at once', async () => {
    const { sync, b, fleetCalls, tick } = await setup();
    b.recordSuccess(1);
    await tick(1000);
    b.recordSuccess(1);
    await sync.flush();
    expect(await fleetCalls()).toBe(2);
    sync.detach();
  });
});

import { openDurationMs } from '../core/policy.js';
import type { StateStore } from '../store/state-store.js';
import { applyFleet, type TrackedBreaker } from './tracked-breaker.js';

/**
 * Sends a breaker's outcome counts since its last flush to the store's fleet-wide window, which
 * trips the fleet when it crosses a threshold. Resolves false when there were counts to send and
 * the store did not take them.
 */
export async function flushCounts(
  store: StateStore,
  t: TrackedBreaker,
  random: () => number,
): Promise<boolean> {
  if (t.flushing) {
    // A local trip during a timer flush must still reach the fleet now, not a tick later.
    t.flushAgain = true;
    return true;
  }
  const b = t.breaker;
  const c = b.counters;
  const successes = c.successes - t.successes;
  const failures = c.failures - t.failures;
  const slowCalls = c.slowCalls - t.slowCalls;
  // The baseline moves first: a flush that fails or times out is never sent again (Redis may have applied it).
  t.successes = c.successes;
  t.failures = c.failures;
  t.slowCalls = c.slowCalls;
  if (successes + failures <= 0) return true;
  if (t.fleet.state !== 'closed') return true;
  if (!store.health().available) return false;
  const p = b.policy;
  t.flushing = true;
  t.flushedAt = Date.now();
  try {
    const r = await store.flush(b.name, {
      calls: successes + failures,
      failures,
      slowCalls,
      windowMs: p.windowSeconds * 1000,
      windowBuckets: p.windowBuckets,
      minimumCalls: p.minimumCalls,
      failureRateThreshold: p.failureRateThreshold,
      slowCallRateThreshold: p.slowCallRateThreshold,
      openMs: openDurationMs(p, 0, random),
    });
    if (r === undefined) return false;
    applyFleet(t, r.current);
    return true;
  } finally {
    t.flushing = false;
    if (t.flushAgain) {
      t.flushAgain = false;
      void flushCounts(store, t, random);
    }
  }
}

/**
 * True when the timer may leave this breaker's counts for a later tick: successes alone wait until
 * one window bucket has passed since its last flush (a failure or a slow call goes at once).
 */
export function mayWait(t: TrackedBreaker, now: number, flushIntervalMs: number): boolean {
  const c = t.breaker.counters;
  const p = t.breaker.policy;
  if (c.failures !== t.failures || c.slowCalls !== t.slowCalls) return false;
  // Half a tick early counts as due: timer ticks land a millisecond either side of the bucket.
  return now - t.flushedAt < (p.windowSeconds * 1000) / p.windowBuckets - flushIntervalMs / 2;
}

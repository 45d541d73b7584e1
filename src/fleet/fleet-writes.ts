import type { BreakerStateName } from '../core/state-names.js';
import type { StateStore } from '../store/state-store.js';
import { applyFleet, type TrackedBreaker } from './tracked-breaker.js';

/**
 * Commits this instance's decision for the fleet: a compare-and-set on the fleet epoch last seen.
 * Losing the race means another instance decided first: the fleet follows the winner, and so does
 * this instance. Unreachable: the decision stays pending, pushed by the next reconcile.
 */
export async function pushTransition(
  store: StateStore,
  t: TrackedBreaker,
  state: BreakerStateName,
  reason: string,
  openMs: number | undefined,
): Promise<void> {
  const r = await store.transition(t.breaker.name, {
    expectedEpoch: t.fleet.epoch,
    state,
    openMs,
    reason,
  });
  if (r === undefined) {
    t.pending = true;
    return;
  }
  t.pending = false;
  if (r.committed) {
    t.fleet = r.current;
    return;
  }
  if (r.current.epoch < t.fleet.epoch) {
    // The store lost its data (e.g. restarted without persistence): start over from what it has.
    t.fleet = r.current;
    t.pending = true;
    await reconcile(store, t);
    return;
  }
  // Another instance committed first: the fleet follows the winner, so does this instance.
  applyFleet(t, r.current);
}

/**
 * After a partition or on the periodic resync: what this instance decided while cut off is
 * pushed only if nobody committed anything newer meanwhile; otherwise the fleet state wins.
 * False when the store could not be read.
 */
export async function reconcile(store: StateStore, t: TrackedBreaker): Promise<boolean> {
  const s = await store.read(t.breaker.name);
  if (s === undefined) return false;
  if (s.epoch < t.fleet.epoch) {
    t.fleet = s;
    t.pending = true;
  }
  if (t.pending && s.epoch === t.fleet.epoch) {
    t.pending = false;
    const local = t.breaker.currentState;
    if (local === 'open')
      await pushTransition(store, t, 'open', 'reconciled', t.breaker.retryAfterMs());
    else if (local === 'forced_open' || local === 'disabled')
      await pushTransition(store, t, local, 'reconciled', undefined);
    else if (local === 'closed' && s.state !== 'closed')
      await pushTransition(store, t, 'closed', 'reconciled', undefined);
    return true;
  }
  t.pending = false;
  applyFleet(t, s);
  return true;
}

import type { CircuitBreaker, ProbeLease } from '../core/breaker.js';
import type { StateStore } from '../store/state-store.js';

/** The lease of a probe decided by this instance alone: nothing to give back. */
export const LOCAL_LEASE: ProbeLease = { release() {} };

/**
 * A probe permit from the fleet-wide budget (`halfOpenMaxCalls` across every instance), held at
 * most `callTimeoutMs`; `null` when the budget is used up or the store is unreachable. Releasing
 * is idempotent and never waits.
 */
export async function acquireFleetProbe(
  store: StateStore,
  breaker: CircuitBreaker,
): Promise<ProbeLease | null> {
  const token = await store.acquirePermit(
    breaker.name,
    breaker.policy.halfOpenMaxCalls,
    breaker.policy.callTimeoutMs,
  );
  if (token === null) return null;
  let released = false;
  return {
    release: () => {
      if (released) return;
      released = true;
      void store.releasePermit(breaker.name, token);
    },
  };
}

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

/**
 * Whether this instance runs a breaker's health check now: one turn for the whole fleet, from the
 * same permit budget as probes (user calls never probe a health-checked host). The turn is held
 * for `holdMs` and never given back early, so the fleet checks once per interval and a crashed
 * checker's turn passes to another instance when it expires. With the store unreachable every
 * instance checks for itself, as every instance then decides on local state.
 */
export async function acquireCheckTurn(
  store: StateStore,
  name: string,
  holdMs: number,
): Promise<boolean> {
  if (!store.health().available) return true;
  return (await store.acquirePermit(name, 1, holdMs)) !== null;
}

import type { CircuitBreaker } from '../core/breaker.js';
import type { Permit } from '../core/permit.js';

export type Acquired = Permit | null | Promise<Permit | null>;

/** Asks the breaker; only a half-open probe with a shared store answers with a promise. */
export function acquire(breaker: CircuitBreaker): Acquired {
  return breaker.tryAcquire();
}

export function isPending(acquired: Acquired): acquired is Promise<Permit | null> {
  return acquired !== null && typeof (acquired as { then?: unknown }).then === 'function';
}

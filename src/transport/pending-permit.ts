import type { Permit } from '../core/permit.js';

export type Acquired = Permit | null | Promise<Permit | null>;

/** What `breaker.tryAcquire()` answers; only a half-open probe with a shared store is a promise. */
export function isPending(acquired: Acquired): acquired is Promise<Permit | null> {
  return acquired !== null && typeof (acquired as { then?: unknown }).then === 'function';
}

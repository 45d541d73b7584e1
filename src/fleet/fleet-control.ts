import type { BreakerStateName } from '../core/state-names.js';

/**
 * The fleet's view of one breaker (a shared store's record), shown beside or instead of the local
 * status. Only `name`, `state` and `epoch` are required; a store fills what it knows.
 */
export interface FleetBreakerView {
  readonly name: string;
  readonly state: BreakerStateName;
  /** Fleet epoch: ordered by the store, independent of a local breaker's epoch. */
  readonly epoch: number;
  /** For `open`: milliseconds until the fleet lets probes through (0 once elapsed). */
  readonly openRemainingMs?: number;
  /** Why the last committed transition happened. */
  readonly reason?: string;
  /** Instance that committed the last transition. */
  readonly origin?: string;
  /** Fleet-wide totals over the current window, when the store keeps them. */
  readonly callsInWindow?: number;
  readonly failuresInWindow?: number;
}

/**
 * Fleet-wide control of breakers through a shared store (implemented by the Redis store).
 * When the admin endpoint is given one, every change goes through it, so it applies to every
 * instance, and reads show the fleet's state next to this instance's.
 *
 * Contract for implementers: each mutation commits the change to the store, applies it to this
 * instance's local breaker of that name (if any) before resolving, and resolves `false` when the
 * fleet knows no breaker of that name (the endpoint then answers 404 unless one exists locally).
 * Implementations may reject; the endpoint turns that into a 503 and never crashes.
 */
export interface FleetControl {
  reset(name: string): Promise<boolean>;
  forceOpen(name: string): Promise<boolean>;
  disable(name: string): Promise<boolean>;
  /** Back from `disabled` to `closed`; leaves any other state as it is. */
  enable(name: string): Promise<boolean>;
  list(): Promise<FleetBreakerView[]>;
}

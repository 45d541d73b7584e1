import type { Clock } from './clock.js';
import type { BreakerStateName } from './state-names.js';

/** What the half-open state keeps of an admitted probe (the permit itself). */
export interface InFlightProbe {
  readonly id: number;
  /** Monotonic ms when admitted, for the callTimeoutMs expiry. */
  readonly admittedAt: number;
  releaseLease(): void;
}

/**
 * The live state of one breaker, with exactly the data each state needs. Internal: the outside sees
 * only its `kind` (a BreakerStateName) and, serialised, a BreakerSnapshot.
 */
export type StateRecord =
  | { readonly kind: 'closed' }
  | {
      readonly kind: 'open';
      /** Monotonic ms when it opened and when it may let a probe through. */
      readonly openedAt: number;
      readonly openUntil: number;
      readonly openedAtWall: number;
    }
  | HalfOpenRecord
  | { readonly kind: 'forced_open'; readonly openedAtWall: number }
  | { readonly kind: 'disabled' };

export interface HalfOpenRecord {
  readonly kind: 'half_open';
  readonly since: number;
  /** Probes admitted and not yet settled, by permit id. */
  readonly inFlight: Map<number, InFlightProbe>;
  successes: number;
}

/** Shared records for the states that carry no data; the closed fast path compares against CLOSED. */
export const CLOSED: StateRecord = Object.freeze({ kind: 'closed' });
export const DISABLED: StateRecord = Object.freeze({ kind: 'disabled' });

export function openRecord(now: number, openMs: number, clock: Clock): StateRecord {
  return { kind: 'open', openedAt: now, openUntil: now + openMs, openedAtWall: clock.wallNow() };
}

export function forcedOpenRecord(clock: Clock): StateRecord {
  return { kind: 'forced_open', openedAtWall: clock.wallNow() };
}

export function halfOpenRecord(now: number): HalfOpenRecord {
  return { kind: 'half_open', since: now, inFlight: new Map(), successes: 0 };
}

/** A fresh record for a state named from outside (a shared store's decision). */
export function recordFor(
  name: BreakerStateName,
  now: number,
  openMs: number,
  clock: Clock,
): StateRecord {
  switch (name) {
    case 'closed':
      return CLOSED;
    case 'disabled':
      return DISABLED;
    case 'forced_open':
      return forcedOpenRecord(clock);
    case 'open':
      return openRecord(now, openMs, clock);
    case 'half_open':
      return halfOpenRecord(now);
  }
}

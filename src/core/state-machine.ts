import type { BreakerStateName, TransitionReason } from './states.js';

/** What the half-open state keeps of an admitted probe (the permit itself). */
export interface InFlightProbe {
  readonly id: number;
  /** Monotonic ms when admitted, for the callTimeoutMs expiry. */
  readonly admittedAt: number;
  releaseLease(): void;
}

/** The live state of a breaker, with exactly the data each state needs. */
export type BreakerState =
  | { readonly kind: 'closed' }
  | {
      readonly kind: 'open';
      /** Monotonic ms when it opened and when it may let a probe through. */
      readonly openedAt: number;
      readonly openUntil: number;
      readonly openedAtWall: number;
    }
  | {
      readonly kind: 'half_open';
      readonly since: number;
      /** Probes admitted and not yet settled, by permit id. */
      readonly inFlight: Map<number, InFlightProbe>;
      successes: number;
    }
  | { readonly kind: 'forced_open'; readonly openedAtWall: number }
  | { readonly kind: 'disabled' };

export const CLOSED: BreakerState = Object.freeze({ kind: 'closed' });
export const DISABLED: BreakerState = Object.freeze({ kind: 'disabled' });

/**
 * Which automatic transitions are legal. Manual ones (forced_open, disabled, reset → closed) and
 * transitions applied from a shared store are allowed from any state.
 */
const AUTOMATIC: Readonly<Record<BreakerStateName, readonly BreakerStateName[]>> = {
  closed: ['open'],
  open: ['half_open'],
  half_open: ['open', 'closed'],
  forced_open: [],
  disabled: [],
};

const MANUAL_REASONS: ReadonlySet<TransitionReason> = new Set([
  'forced_open',
  'disabled',
  'reset',
  'remote',
]);

export function isLegalTransition(
  from: BreakerStateName,
  to: BreakerStateName,
  reason: TransitionReason,
): boolean {
  if (from === to) return false;
  if (MANUAL_REASONS.has(reason)) return true;
  return AUTOMATIC[from].includes(to);
}

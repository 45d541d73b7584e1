import type { BreakerStateName } from './state-names.js';

/** Why a transition happened; shown in status, log events and span events. */
export type TransitionReason =
  | 'consecutive_failures'
  | 'failure_rate'
  | 'slow_call_rate'
  | 'retry_after'
  | 'quota_exhausted'
  | 'open_timeout_elapsed'
  | 'probe_succeeded'
  | 'probe_failed'
  | 'probe_timed_out'
  | 'forced_open'
  | 'disabled'
  | 'reset'
  | 'remote';

export interface Transition {
  readonly name: string;
  readonly from: BreakerStateName;
  readonly to: BreakerStateName;
  readonly reason: TransitionReason;
  /** Wall-clock epoch milliseconds. */
  readonly at: number;
  /** Monotonically increasing per breaker; a shared store orders transitions by it. */
  readonly epoch: number;
  /** For transitions into open: how long it stays open. */
  readonly openMs?: number;
}

export type TransitionListener = (transition: Transition) => void;

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

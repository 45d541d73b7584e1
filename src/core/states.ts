/** Every state a breaker can be in. `forced_open` and `disabled` are only entered by hand. */
export const BREAKER_STATES = ['closed', 'open', 'half_open', 'forced_open', 'disabled'] as const;
export type BreakerStateName = (typeof BREAKER_STATES)[number];

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

import type { FailureKind } from './outcome.js';

/** Details a caller can give with a failure. */
export interface FailureDetail {
  /** How long the call took, for the slow-call rule. */
  readonly durationMs?: number;
  /** Server-requested wait; opens the circuit for that long when the policy honours Retry-After. */
  readonly retryAfterMs?: number;
  readonly kind?: FailureKind;
}

/**
 * Permission to make one call, returned by `canRequest()`. Settle it exactly once with one of the
 * record methods; settling again is a no-op. In the closed state the permit is shared by all calls
 * (no allocation per call); half-open probes each get their own so the probe budget stays exact.
 */
export interface Permit {
  recordSuccess(durationMs?: number): void;
  recordFailure(error?: unknown, detail?: number | FailureDetail): void;
  /** The call was abandoned by its caller (e.g. aborted): counts as neither success nor failure. */
  recordIgnored(): void;
}

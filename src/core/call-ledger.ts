import type { Clock } from './clock.js';
import type { Classification, FailureKind } from './outcome.js';
import type { BreakerStateName } from './state-names.js';
import type { FailureKindCounts, TransitionCounts } from './transition-counts.js';

/** Monotonic counters since the breaker was created; metrics read them at collection time. */
export interface BreakerCounters {
  successes: number;
  failures: number;
  ignored: number;
  rejected: number;
  shadowRejections: number;
  slowCalls: number;
  opens: number;
}

export function newCounters(): BreakerCounters {
  return {
    successes: 0,
    failures: 0,
    ignored: 0,
    rejected: 0,
    shadowRejections: 0,
    slowCalls: 0,
    opens: 0,
  };
}

/**
 * What a breaker counts and remembers of its calls: outcomes, failures by kind, transitions and
 * the last failure. Only counts: whether a call moves the state is the state machine's business.
 * The state machine holds these fields itself (one object per breaker fewer, with 10,000 breakers);
 * the functions below are the only writers.
 */
export interface CallLedger {
  readonly counters: BreakerCounters;
  readonly transitions: TransitionCounts;
  /** Failures by kind, for the `circuit_breaker.failures` metric. */
  readonly failureKinds: FailureKindCounts;
  lastError: unknown;
  /** Wall-clock ms of the last failure. */
  lastErrorAt: number | undefined;
  lastFailureKind: FailureKind | undefined;
}

export function countFailure(
  ledger: CallLedger,
  error: unknown,
  kind: FailureKind | undefined,
  wallNow: number,
): void {
  ledger.counters.failures++;
  ledger.lastError = error;
  ledger.lastErrorAt = wallNow;
  ledger.lastFailureKind = kind ?? 'error';
  ledger.failureKinds.increment(ledger.lastFailureKind);
}

/** Counts an outcome that moves no state (a probe's, or a call let through). */
export function countOutcome(
  ledger: CallLedger,
  c: Classification,
  error: unknown,
  clock: Clock,
): void {
  if (c.outcome === 'success') ledger.counters.successes++;
  else if (c.outcome === 'ignored') ledger.counters.ignored++;
  else countFailure(ledger, error, c.kind, clock.wallNow());
}

export function countTransition(
  ledger: CallLedger,
  from: BreakerStateName,
  to: BreakerStateName,
): void {
  if (to === 'open' || to === 'forced_open') ledger.counters.opens++;
  ledger.transitions.increment(from, to);
}

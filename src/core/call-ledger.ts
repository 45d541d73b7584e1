import type { Clock } from './clock.js';
import type { Classification, FailureKind } from './outcome.js';
import type { BreakerStateName } from './state-names.js';
import { FailureKindCounts, TransitionCounts } from './transition-counts.js';

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

/**
 * What a breaker counts and remembers of its calls: outcomes, failures by kind, transitions and
 * the last failure. Only counts: whether a call moves the state is the state machine's business.
 */
export class CallLedger {
  readonly counts: BreakerCounters = {
    successes: 0,
    failures: 0,
    ignored: 0,
    rejected: 0,
    shadowRejections: 0,
    slowCalls: 0,
    opens: 0,
  };
  readonly transitions = new TransitionCounts();
  /** Failures by kind, for the `circuit_breaker.failures` metric. */
  readonly failureKinds = new FailureKindCounts();
  lastError: unknown = undefined;
  /** Wall-clock ms of the last failure. */
  lastErrorAt: number | undefined = undefined;
  lastFailureKind: FailureKind | undefined = undefined;

  constructor(private readonly clock: Clock) {}

  failure(error: unknown, kind: FailureKind | undefined): void {
    this.counts.failures++;
    this.lastError = error;
    this.lastErrorAt = this.clock.wallNow();
    this.lastFailureKind = kind ?? 'error';
    this.failureKinds.increment(this.lastFailureKind);
  }

  /** Counts an outcome that moves no state (a probe's, or a call let through). */
  outcome(c: Classification, error: unknown): void {
    if (c.outcome === 'success') this.counts.successes++;
    else if (c.outcome === 'ignored') this.counts.ignored++;
    else this.failure(error, c.kind);
  }

  transition(from: BreakerStateName, to: BreakerStateName): void {
    if (to === 'open' || to === 'forced_open') this.counts.opens++;
    this.transitions.increment(from, to);
  }
}

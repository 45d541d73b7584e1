import type { BreakerCounters, CallLedger } from './call-ledger.js';
import type { FailureKind } from './outcome.js';
import { remainingOpenMs } from './open-time.js';
import type { BreakerMode, BreakerPolicy } from './policy.js';
import { summarizeError, type ErrorSummary } from './redact.js';
import type { SlidingWindow } from './sliding-window.js';
import type { BreakerStateName } from './state-names.js';
import type { StateRecord } from './state-record.js';

/** A serialisable snapshot of one breaker, as shown by status(), the admin endpoint and the CLI. */
export interface BreakerSnapshot {
  readonly name: string;
  readonly state: BreakerStateName;
  readonly mode: BreakerMode;
  readonly consecutiveFailures: number;
  readonly failureRate: number;
  readonly slowCallRate: number;
  readonly callsInWindow: number;
  readonly failuresInWindow: number;
  readonly slowCallsInWindow: number;
  readonly halfOpenInFlight: number;
  readonly thresholds: BreakerPolicy;
  /** Class and redacted, truncated message of the last failure; never headers or credentials. */
  readonly lastError: (ErrorSummary & { readonly at: string; readonly kind: FailureKind }) | null;
  /** ISO timestamps. */
  readonly openedAt: string | null;
  readonly recoveryAt: string | null;
  readonly secondsUntilRecovery: number | null;
  readonly openCount: number;
  readonly epoch: number;
  readonly counts: Readonly<BreakerCounters>;
}

/** What a snapshot is read from (the breaker's state machine). */
export interface SnapshotSource extends CallLedger {
  readonly policy: BreakerPolicy;
  readonly window: SlidingWindow;
  readonly consecutiveFailures: number;
  readonly epoch: number;
  readonly state: StateRecord;
}

/** `now` is monotonic and `wallNow` wall-clock ms, both read once by the caller. */
export function buildSnapshot(
  name: string,
  source: SnapshotSource,
  now: number,
  wallNow: number,
): BreakerSnapshot {
  const { state, window: w } = source;
  let openedAt: string | null = null;
  let recoveryAt: string | null = null;
  let secondsUntilRecovery: number | null = null;
  if (state.kind === 'open') {
    const remaining = remainingOpenMs(state.openUntil, now);
    openedAt = new Date(state.openedAtWall).toISOString();
    recoveryAt = new Date(wallNow + remaining).toISOString();
    secondsUntilRecovery = Math.ceil(remaining / 100) / 10;
  } else if (state.kind === 'forced_open') {
    openedAt = new Date(state.openedAtWall).toISOString();
  }
  const lastError =
    source.lastErrorAt === undefined
      ? null
      : {
          ...summarizeError(source.lastError),
          at: new Date(source.lastErrorAt).toISOString(),
          kind: source.lastFailureKind ?? 'error',
        };
  return {
    name,
    state: state.kind,
    mode: source.policy.mode,
    consecutiveFailures: source.consecutiveFailures,
    failureRate: w.failureRate(),
    slowCallRate: w.slowCallRate(),
    callsInWindow: w.totalCalls,
    failuresInWindow: w.totalFailures,
    slowCallsInWindow: w.totalSlow,
    halfOpenInFlight: state.kind === 'half_open' ? state.inFlight.size : 0,
    thresholds: source.policy,
    lastError,
    openedAt,
    recoveryAt,
    secondsUntilRecovery,
    openCount: source.counters.opens,
    epoch: source.epoch,
    counts: { ...source.counters },
  };
}

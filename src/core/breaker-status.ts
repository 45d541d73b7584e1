import type { BreakerCounters, CircuitBreaker } from './breaker.js';
import type { FailureKind } from './outcome.js';
import type { BreakerMode, BreakerPolicy } from './policy.js';
import { summarizeError, type ErrorSummary } from './redact.js';
import type { BreakerState } from './state-machine.js';
import type { BreakerStateName } from './states.js';

/** A serialisable snapshot of one breaker, as shown by status(), the admin endpoint and the CLI. */
export interface BreakerStatus {
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

export function buildStatus(
  breaker: CircuitBreaker,
  kind: BreakerStateName,
  state: BreakerState,
  now: number,
  wallNow: number,
): BreakerStatus {
  const w = breaker.window;
  let openedAt: string | null = null;
  let recoveryAt: string | null = null;
  let secondsUntilRecovery: number | null = null;
  if (state.kind === 'open') {
    const remaining = Math.max(0, state.openUntil - now);
    openedAt = new Date(state.openedAtWall).toISOString();
    recoveryAt = new Date(wallNow + remaining).toISOString();
    secondsUntilRecovery = Math.ceil(remaining / 100) / 10;
  } else if (state.kind === 'forced_open') {
    openedAt = new Date(state.openedAtWall).toISOString();
  }
  const lastError =
    breaker.lastErrorAt === undefined
      ? null
      : {
          ...summarizeError(breaker.lastError),
          at: new Date(breaker.lastErrorAt).toISOString(),
          kind: breaker.lastFailureKind ?? 'error',
        };
  return {
    name: breaker.name,
    state: kind,
    mode: breaker.policy.mode,
    consecutiveFailures: breaker.consecutiveFailures,
    failureRate: w.failureRate(),
    slowCallRate: w.slowCallRate(),
    callsInWindow: w.totalCalls,
    failuresInWindow: w.totalFailures,
    slowCallsInWindow: w.totalSlow,
    halfOpenInFlight: state.kind === 'half_open' ? state.inFlight.size : 0,
    thresholds: breaker.policy,
    lastError,
    openedAt,
    recoveryAt,
    secondsUntilRecovery,
    openCount: breaker.counters.opens,
    epoch: breaker.epoch,
    counts: { ...breaker.counters },
  };
}

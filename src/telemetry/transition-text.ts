import type { CircuitBreaker } from '../core/breaker.js';
import type { BreakerStateName } from '../core/state-names.js';
import type { Transition, TransitionReason } from '../core/transition.js';

const VERB: Readonly<Record<BreakerStateName, string>> = {
  open: 'opened',
  half_open: 'half-opened',
  closed: 'closed',
  forced_open: 'forced open',
  disabled: 'disabled',
};

const percent = (ratio: number): string => `${Math.round(ratio * 100)}%`;
const seconds = (ms: number): string => `${Math.round(ms / 100) / 10}s`;

/**
 * Why a transition happened, in words, from the transition and (when known) its breaker's numbers
 * at that moment. Only counts, ratios, durations and policy values: never an error message, so no
 * URL, header or key can reach a log line through here.
 */
export function describeReason(
  reason: TransitionReason,
  breaker: CircuitBreaker | undefined,
  openMs?: number,
): string {
  const policy = breaker?.policy;
  switch (reason) {
    case 'consecutive_failures':
      return breaker === undefined
        ? 'consecutive failures'
        : `${breaker.consecutiveFailures} consecutive failures`;
    case 'failure_rate':
      return breaker === undefined
        ? 'failure rate over threshold'
        : `failure rate ${percent(breaker.window.failureRate())} over the last ${policy!.windowSeconds}s ` +
            `(${breaker.window.totalCalls} calls, threshold ${percent(policy!.failureRateThreshold)})`;
    case 'slow_call_rate':
      return breaker === undefined
        ? 'slow-call rate over threshold'
        : `slow-call rate ${percent(breaker.window.slowCallRate())} over the last ${policy!.windowSeconds}s ` +
            `(calls of ${policy!.slowCallDurationMs}ms or more, threshold ${percent(policy!.slowCallRateThreshold)})`;
    case 'retry_after':
      return openMs === undefined
        ? 'the server asked to retry later'
        : `the server asked to retry after ${seconds(openMs)}`;
    case 'quota_exhausted':
      return openMs === undefined
        ? 'the quota or spending limit is exhausted'
        : `the quota or spending limit is exhausted; waiting ${seconds(openMs)}`;
    case 'open_timeout_elapsed':
      return 'open time elapsed, letting probe calls through';
    case 'probe_succeeded':
      return policy === undefined
        ? 'probe calls succeeded'
        : `${policy.successThreshold} probe calls succeeded`;
    case 'probe_failed':
      return 'a probe call failed';
    case 'probe_timed_out':
      return policy === undefined
        ? 'a probe call did not settle in time'
        : `a probe call did not settle within ${policy.callTimeoutMs}ms`;
    case 'forced_open':
      return 'opened by hand';
    case 'disabled':
      return 'disabled by hand';
    case 'reset':
      return 'reset by hand';
    case 'remote':
      return 'state shared by another instance';
  }
}

/** "circuit api.example.com opened: 5 consecutive failures; retry in 30s". */
export function describeTransition(
  transition: Transition,
  breaker: CircuitBreaker | undefined,
): string {
  const why = describeReason(transition.reason, breaker, transition.openMs);
  const retry =
    transition.to === 'open' &&
    transition.openMs !== undefined &&
    transition.reason !== 'retry_after'
      ? `; retry in ${seconds(transition.openMs)}`
      : '';
  return `circuit ${transition.name} ${VERB[transition.to]}: ${why}${retry}`;
}

import {
  ATTR_FAILURE_KIND,
  ATTR_FROM,
  ATTR_HEALTH_CHECK_RESULT,
  ATTR_NAME,
  ATTR_OUTCOME,
  ATTR_STATE,
  ATTR_STORE,
  ATTR_TO,
  METRIC_CALLS,
  METRIC_FAILURE_RATE,
  METRIC_FAILURE_RATE_THRESHOLD,
  METRIC_FAILURES,
  METRIC_MINIMUM_CALLS,
  METRIC_OPEN_DURATION,
  METRIC_HEALTH_CHECKS,
  METRIC_SHADOW_REJECTIONS,
  METRIC_SLOW_CALL_RATE,
  METRIC_SLOW_CALL_RATE_THRESHOLD,
  METRIC_STATE,
  METRIC_STORE_AVAILABLE,
  METRIC_STORE_ERRORS,
  METRIC_TIME_UNTIL_PROBE,
  METRIC_TRANSITIONS,
} from '../semconv.js';

/** `counter` = monotonic observable counter; `gauge` = observable gauge. */
export type MetricKind = 'counter' | 'gauge';

/** One public instrument: what the meter creates and what the README's metrics table shows. */
export interface MetricDefinition {
  readonly name: string;
  readonly kind: MetricKind;
  /** UCUM unit; `{…}` annotations for counts of things, `1` for ratios and 0/1 flags (as hw.status). */
  readonly unit: string;
  readonly description: string;
  /** Attribute keys every data point carries (besides the exporter's own scope labels). */
  readonly attributes: readonly string[];
  /** Values are whole numbers (counts, 0/1 flags) rather than ratios. */
  readonly integer: boolean;
}

/** Every instrument, in the order they are created (and so appear in a Prometheus scrape). */
export const METRIC_DEFINITIONS = {
  state: {
    name: METRIC_STATE,
    kind: 'gauge',
    unit: '1',
    description:
      'Circuit breaker state: 1 for the current state and 0 for the four others (closed, open, half_open, forced_open, disabled).',
    attributes: [ATTR_NAME, ATTR_STATE],
    integer: true,
  },
  calls: {
    name: METRIC_CALLS,
    kind: 'counter',
    unit: '{call}',
    description:
      'Calls seen by the circuit breaker by outcome: success, failure, ignored (aborted by the caller) or rejected (not sent).',
    attributes: [ATTR_NAME, ATTR_OUTCOME],
    integer: true,
  },
  failures: {
    name: METRIC_FAILURES,
    kind: 'counter',
    unit: '{call}',
    description:
      'Failed calls by kind: connection, timeout, server (5xx), rate_limited (429), quota (exhausted quota or billing limit) or error.',
    attributes: [ATTR_NAME, ATTR_FAILURE_KIND],
    integer: true,
  },
  shadowRejections: {
    name: METRIC_SHADOW_REJECTIONS,
    kind: 'counter',
    unit: '{call}',
    description: 'Calls that observe mode let through but enforce mode would have rejected.',
    attributes: [ATTR_NAME],
    integer: true,
  },
  transitions: {
    name: METRIC_TRANSITIONS,
    kind: 'counter',
    unit: '{transition}',
    description: 'Circuit breaker state changes by previous and new state.',
    attributes: [ATTR_NAME, ATTR_FROM, ATTR_TO],
    integer: true,
  },
  failureRate: {
    name: METRIC_FAILURE_RATE,
    kind: 'gauge',
    unit: '1',
    description: "Share of failed calls (0..1) over the circuit breaker's current sliding window.",
    attributes: [ATTR_NAME],
    integer: false,
  },
  slowCallRate: {
    name: METRIC_SLOW_CALL_RATE,
    kind: 'gauge',
    unit: '1',
    description: "Share of slow calls (0..1) over the circuit breaker's current sliding window.",
    attributes: [ATTR_NAME],
    integer: false,
  },
  failureRateThreshold: {
    name: METRIC_FAILURE_RATE_THRESHOLD,
    kind: 'gauge',
    unit: '1',
    description:
      "The circuit breaker's failureRateThreshold: a failure rate at or above it opens the circuit (0: rule off).",
    attributes: [ATTR_NAME],
    integer: false,
  },
  slowCallRateThreshold: {
    name: METRIC_SLOW_CALL_RATE_THRESHOLD,
    kind: 'gauge',
    unit: '1',
    description:
      "The circuit breaker's slowCallRateThreshold: a slow-call rate at or above it opens the circuit (0: rule off).",
    attributes: [ATTR_NAME],
    integer: false,
  },
  minimumCalls: {
    name: METRIC_MINIMUM_CALLS,
    kind: 'gauge',
    unit: '{call}',
    description:
      "The circuit breaker's minimumCalls: calls its window must hold before a rate rule may open the circuit.",
    attributes: [ATTR_NAME],
    integer: true,
  },
  openDuration: {
    name: METRIC_OPEN_DURATION,
    kind: 'gauge',
    unit: 's',
    description:
      'Open time of the current open period (with back-off, jitter or a server-requested wait); in any other state, the open time a trip would start now (with back-off, before jitter).',
    attributes: [ATTR_NAME],
    integer: false,
  },
  timeUntilProbe: {
    name: METRIC_TIME_UNTIL_PROBE,
    kind: 'gauge',
    unit: 's',
    description:
      'Seconds until the open circuit lets a probe call through; 0 in every other state (see circuit_breaker.state).',
    attributes: [ATTR_NAME],
    integer: false,
  },
  storeErrors: {
    name: METRIC_STORE_ERRORS,
    kind: 'counter',
    unit: '{error}',
    description: 'Errors talking to the shared state store; the breakers went on with local state.',
    attributes: [ATTR_STORE],
    integer: true,
  },
  storeAvailable: {
    name: METRIC_STORE_AVAILABLE,
    kind: 'gauge',
    unit: '1',
    description:
      '1 when the shared state store is reachable, 0 while breakers run on local state only.',
    attributes: [ATTR_STORE],
    integer: true,
  },
  healthChecks: {
    name: METRIC_HEALTH_CHECKS,
    kind: 'counter',
    unit: '{check}',
    description:
      'Active health checks of hosts that have one, by result: passed or failed (a failed check keeps the circuit open).',
    attributes: [ATTR_NAME, ATTR_HEALTH_CHECK_RESULT],
    integer: true,
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricKey = keyof typeof METRIC_DEFINITIONS;

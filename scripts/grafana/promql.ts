/**
 * PromQL for the dashboards, built from the names the Prometheus exporter really serves
 * (src/telemetry/prometheus-names.ts). No metric or label name is typed here: a rename in
 * src/semconv.ts flows into the generated dashboards, and test/grafana/prometheus-e2e.test.ts
 * runs every query below against a real Prometheus scraping a real app.
 */
import { BREAKER_STATES, type BreakerStateName } from '../../src/core/state-names.js';
import type { CallOutcomeLabel } from '../../src/semconv.js';
import {
  PROM_CALLS,
  PROM_FAILURE_RATE,
  PROM_FAILURE_RATE_THRESHOLD,
  PROM_FAILURES,
  PROM_LABEL_FAILURE_KIND,
  PROM_LABEL_HEALTH_CHECK_RESULT,
  PROM_LABEL_FROM,
  PROM_LABEL_NAME,
  PROM_LABEL_OUTCOME,
  PROM_LABEL_STATE,
  PROM_LABEL_STORE,
  PROM_LABEL_TO,
  PROM_MINIMUM_CALLS,
  PROM_OPEN_DURATION,
  PROM_HEALTH_CHECKS,
  PROM_SHADOW_REJECTIONS,
  PROM_SLOW_CALL_RATE,
  PROM_SLOW_CALL_RATE_THRESHOLD,
  PROM_STATE,
  PROM_STORE_AVAILABLE,
  PROM_STORE_ERRORS,
  PROM_TIME_UNTIL_PROBE,
  PROM_TRANSITIONS,
} from '../../src/telemetry/prometheus-names.js';

/** Template variable names (shared by the dashboards, the tests and the e2e substitution). */
export const VAR = {
  datasource: 'datasource',
  job: 'job',
  instance: 'instance',
  breaker: 'breaker',
  topN: 'top_n',
} as const;

/** Labels Prometheus itself adds to every scraped series. */
export const JOB = 'job';
export const INSTANCE = 'instance';

/** `{job=~"$job",instance=~"$instance"}` plus extra matchers. */
export function scope(extra: readonly string[] = [], breaker = true): string {
  const matchers = [`${JOB}=~"$${VAR.job}"`, `${INSTANCE}=~"$${VAR.instance}"`];
  if (breaker) matchers.push(`${PROM_LABEL_NAME}=~"$${VAR.breaker}"`);
  return `{${[...matchers, ...extra].join(',')}}`;
}

const eq = (label: string, value: string) => `${label}="${value}"`;
const oneOf = (label: string, values: readonly string[]) => `${label}=~"${values.join('|')}"`;

/** States in which calls are rejected (or, half-open, only probes pass). */
export const OPEN_STATES: readonly BreakerStateName[] = ['open', 'forced_open'];

/**
 * One number per state for the state timeline, ordered by how bad it is, so `max` over the
 * instances of a breaker shows the worst one. The dashboards map the numbers back to names.
 */
export const STATE_CODE: Readonly<Record<BreakerStateName, number>> = {
  closed: 0,
  disabled: 1,
  half_open: 2,
  open: 3,
  forced_open: 4,
};

/** Grafana colour per state (value mappings of the state timeline and the drill-down). */
export const STATE_COLOR: Readonly<Record<BreakerStateName, string>> = {
  closed: 'green',
  disabled: 'text',
  half_open: 'yellow',
  open: 'red',
  forced_open: 'dark-purple',
};

/** The one-hot state gauge folded into one series per breaker with the value STATE_CODE[state]. */
export function stateCode(by: readonly string[]): string {
  const parts = BREAKER_STATES.map(
    (state) => `(${PROM_STATE}${scope([eq(PROM_LABEL_STATE, state)])} == 1) * ${STATE_CODE[state]}`,
  );
  return `max by (${by.join(', ')}) (\n  ${parts.join('\n  or ')}\n)`;
}

/** Number of breaker series currently in one of `states` (per instance: a breaker counts once per instance). */
export function countInStates(states: readonly BreakerStateName[]): string {
  return `sum(${PROM_STATE}${scope([oneOf(PROM_LABEL_STATE, states)])})`;
}

/** Distinct breaker names reporting in scope. */
export function breakerCount(): string {
  return `count(count by (${PROM_LABEL_NAME}) (${PROM_STATE}${scope()}))`;
}

export const rateWindow = '$__rate_interval';

export function callsRate(by: readonly string[], outcome?: CallOutcomeLabel): string {
  const extra = outcome === undefined ? [] : [eq(PROM_LABEL_OUTCOME, outcome)];
  return `sum by (${by.join(', ')}) (rate(${PROM_CALLS}${scope(extra)}[${rateWindow}]))`;
}

export function totalRejectionsRate(): string {
  return `sum(rate(${PROM_CALLS}${scope([eq(PROM_LABEL_OUTCOME, 'rejected')])}[${rateWindow}]))`;
}

export function shadowRejectionsRate(by: readonly string[]): string {
  return `sum by (${by.join(', ')}) (rate(${PROM_SHADOW_REJECTIONS}${scope()}[${rateWindow}]))`;
}

/** Transitions per interval, by breaker and target state (bars). */
export function transitions(by: readonly string[]): string {
  return `sum by (${by.join(', ')}) (increase(${PROM_TRANSITIONS}${scope()}[${rateWindow}]))`;
}

/** Transitions over the dashboard range by from and to (table of the drill-down). */
export function transitionsInRange(by: readonly string[]): string {
  return `sum by (${by.join(', ')}) (increase(${PROM_TRANSITIONS}${scope()}[$__range]))`;
}

export function failureRate(by: readonly string[]): string {
  return `max by (${by.join(', ')}) (${PROM_FAILURE_RATE}${scope()})`;
}

export function slowCallRate(by: readonly string[]): string {
  return `max by (${by.join(', ')}) (${PROM_SLOW_CALL_RATE}${scope()})`;
}

/** A window rate and the gauge of the breaker's own threshold for it. */
export const RATE_RULES = {
  failure: { rate: PROM_FAILURE_RATE, threshold: PROM_FAILURE_RATE_THRESHOLD },
  slowCall: { rate: PROM_SLOW_CALL_RATE, threshold: PROM_SLOW_CALL_RATE_THRESHOLD },
} as const;
export type RateRule = (typeof RATE_RULES)[keyof typeof RATE_RULES];

/** Series of one process and breaker: what a rate and its threshold are matched on. */
const SAME_BREAKER = `on (${JOB}, ${INSTANCE}, ${PROM_LABEL_NAME})`;

/**
 * Each breaker's rate as a share of its own threshold (1 = it trips), computed per instance before
 * taking the highest. A threshold of 0 (rule off) matches nothing, so such a breaker has no series.
 */
export function rateOfThreshold(rule: RateRule, by: readonly string[]): string {
  return `max by (${by.join(', ')}) (${rule.rate}${scope()} / ${SAME_BREAKER} (${rule.threshold}${scope()} > 0))`;
}

/** The breaker's threshold as a line beside its rates: the lowest over the instances (it trips first). */
export function thresholdLine(rule: RateRule): string {
  return `min(${rule.threshold}${scope()} > 0)`;
}

/** One rule gauge per breaker (highest over the instances), for the rules table. */
export function ruleValue(metric: string, by: readonly string[]): string {
  return `max by (${by.join(', ')}) (${metric}${scope()})`;
}

/** The rule gauges of the rules table, in column order. */
export const RULE_GAUGES = {
  failureRateThreshold: PROM_FAILURE_RATE_THRESHOLD,
  slowCallRateThreshold: PROM_SLOW_CALL_RATE_THRESHOLD,
  minimumCalls: PROM_MINIMUM_CALLS,
  openDuration: PROM_OPEN_DURATION,
  timeUntilProbe: PROM_TIME_UNTIL_PROBE,
} as const;

/** Seconds until an open circuit lets a probe through; breakers that are not waiting are left out. */
export function timeUntilProbe(by: readonly string[]): string {
  return `max by (${by.join(', ')}) (${PROM_TIME_UNTIL_PROBE}${scope()}) > 0`;
}

/** The open time the breaker uses now (current open period, or the next one with back-off). */
export function openDuration(by: readonly string[]): string {
  return `max by (${by.join(', ')}) (${PROM_OPEN_DURATION}${scope()})`;
}

export function storeAvailable(): string {
  return `min by (${INSTANCE}, ${PROM_LABEL_STORE}) (${PROM_STORE_AVAILABLE}${scope([], false)})`;
}

export function storeAvailableNow(): string {
  return `min(${PROM_STORE_AVAILABLE}${scope([], false)})`;
}

export function storeErrorsRate(): string {
  return `sum by (${INSTANCE}, ${PROM_LABEL_STORE}) (rate(${PROM_STORE_ERRORS}${scope([], false)}[${rateWindow}]))`;
}

/** Health checks per second by breaker and result (passed, failed); only hosts with a check have them. */
export function healthChecksRate(by: readonly string[]): string {
  return `sum by (${by.join(', ')}) (rate(${PROM_HEALTH_CHECKS}${scope()}[${rateWindow}]))`;
}

/** Failed calls per second by kind (connection, timeout, server, rate_limited, quota, error). */
export function failuresByKindRate(by: readonly string[]): string {
  return `sum by (${by.join(', ')}) (rate(${PROM_FAILURES}${scope()}[${rateWindow}]))`;
}

/** The breakers with the most failed calls over the dashboard's time range. */
export function topFailures(): string {
  return `topk($${VAR.topN}, sum by (${PROM_LABEL_NAME}) (increase(${PROM_CALLS}${scope([eq(PROM_LABEL_OUTCOME, 'failure')])}[$__range]))) > 0`;
}

/** Variable queries (Grafana's Prometheus `label_values`). */
export const variableQueries = {
  job: `label_values(${PROM_STATE}, ${JOB})`,
  instance: `label_values(${PROM_STATE}{${JOB}=~"$${VAR.job}"}, ${INSTANCE})`,
  breaker: `label_values(${PROM_STATE}{${JOB}=~"$${VAR.job}",${INSTANCE}=~"$${VAR.instance}"}, ${PROM_LABEL_NAME})`,
} as const;

export const LABELS = {
  name: PROM_LABEL_NAME,
  outcome: PROM_LABEL_OUTCOME,
  to: PROM_LABEL_TO,
  from: PROM_LABEL_FROM,
  store: PROM_LABEL_STORE,
  failureKind: PROM_LABEL_FAILURE_KIND,
  healthCheckResult: PROM_LABEL_HEALTH_CHECK_RESULT,
} as const;

import {
  ATTR_FAILURE_KIND,
  ATTR_FROM,
  ATTR_HEALTH_CHECK_RESULT,
  ATTR_NAME,
  ATTR_OUTCOME,
  ATTR_STATE,
  ATTR_STORE,
  ATTR_TO,
} from '../semconv.js';
import { METRIC_DEFINITIONS, type MetricDefinition, type MetricKey } from './metric-definitions.js';

/**
 * The names our metrics really have in a Prometheus scrape, derived from src/semconv.ts the way
 * `@opentelemetry/exporter-prometheus` (0.301) derives them: every character outside
 * `[a-zA-Z0-9_]` becomes `_`, runs of `_` collapse, monotonic counters get `_total`. That exporter
 * version appends NO unit suffix (a `1` unit does not become `_ratio`); it writes the unit in a
 * `# UNIT` line instead. test/telemetry/prometheus-scrape.test.ts checks every name here against a
 * real scrape, and test/fixtures/metrics.prom records the whole exposition, so an exporter upgrade
 * that renames anything fails CI before it can break a dashboard or an alert.
 */
export function prometheusName(otelName: string): string {
  return otelName.replace(/[^a-z0-9_]/gi, '_').replace(/_{2,}/g, '_');
}

/** The series name of one instrument (`_total` for counters). */
export function prometheusMetricName(definition: Pick<MetricDefinition, 'name' | 'kind'>): string {
  const base = prometheusName(definition.name);
  return definition.kind === 'counter' && !base.endsWith('_total') ? `${base}_total` : base;
}

/** Series names, one per instrument. */
export const PROMETHEUS_METRIC_NAMES = Object.fromEntries(
  Object.entries(METRIC_DEFINITIONS).map(([key, def]) => [key, prometheusMetricName(def)]),
) as Readonly<Record<MetricKey, string>>;

export const PROM_STATE = PROMETHEUS_METRIC_NAMES.state; // circuit_breaker_state
export const PROM_CALLS = PROMETHEUS_METRIC_NAMES.calls; // circuit_breaker_calls_total
export const PROM_FAILURES = PROMETHEUS_METRIC_NAMES.failures; // circuit_breaker_failures_total
export const PROM_SHADOW_REJECTIONS = PROMETHEUS_METRIC_NAMES.shadowRejections; // circuit_breaker_shadow_rejections_total
export const PROM_TRANSITIONS = PROMETHEUS_METRIC_NAMES.transitions; // circuit_breaker_transitions_total
export const PROM_FAILURE_RATE = PROMETHEUS_METRIC_NAMES.failureRate; // circuit_breaker_failure_rate
export const PROM_SLOW_CALL_RATE = PROMETHEUS_METRIC_NAMES.slowCallRate; // circuit_breaker_slow_call_rate
export const PROM_FAILURE_RATE_THRESHOLD = PROMETHEUS_METRIC_NAMES.failureRateThreshold; // circuit_breaker_failure_rate_threshold
export const PROM_SLOW_CALL_RATE_THRESHOLD = PROMETHEUS_METRIC_NAMES.slowCallRateThreshold; // circuit_breaker_slow_call_rate_threshold
export const PROM_MINIMUM_CALLS = PROMETHEUS_METRIC_NAMES.minimumCalls; // circuit_breaker_minimum_calls
export const PROM_OPEN_DURATION = PROMETHEUS_METRIC_NAMES.openDuration; // circuit_breaker_open_duration
export const PROM_TIME_UNTIL_PROBE = PROMETHEUS_METRIC_NAMES.timeUntilProbe; // circuit_breaker_time_until_probe
export const PROM_STORE_ERRORS = PROMETHEUS_METRIC_NAMES.storeErrors; // circuit_breaker_store_errors_total
export const PROM_STORE_AVAILABLE = PROMETHEUS_METRIC_NAMES.storeAvailable; // circuit_breaker_store_available
export const PROM_HEALTH_CHECKS = PROMETHEUS_METRIC_NAMES.healthChecks; // circuit_breaker_health_checks_total

/** Label names, one per attribute. */
export const PROM_LABEL_NAME = prometheusName(ATTR_NAME); // circuit_breaker_name
export const PROM_LABEL_STATE = prometheusName(ATTR_STATE); // circuit_breaker_state
export const PROM_LABEL_OUTCOME = prometheusName(ATTR_OUTCOME); // circuit_breaker_outcome
export const PROM_LABEL_FROM = prometheusName(ATTR_FROM); // circuit_breaker_from
export const PROM_LABEL_TO = prometheusName(ATTR_TO); // circuit_breaker_to
export const PROM_LABEL_STORE = prometheusName(ATTR_STORE); // circuit_breaker_store
export const PROM_LABEL_FAILURE_KIND = prometheusName(ATTR_FAILURE_KIND); // circuit_breaker_failure_kind
export const PROM_LABEL_HEALTH_CHECK_RESULT = prometheusName(ATTR_HEALTH_CHECK_RESULT); // circuit_breaker_health_check_result

/** Labels the exporter adds to every series of ours (unless `withoutScopeInfo`). */
export const PROM_LABEL_SCOPE_NAME = 'otel_scope_name';
export const PROM_LABEL_SCOPE_VERSION = 'otel_scope_version';

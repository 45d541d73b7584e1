/**
 * Every public telemetry name, defined once. Tests, the dashboard generator and the alert rules
 * import these (or the golden fixture test/fixtures/metrics.prom) instead of retyping strings.
 */

/** Meter, tracer and logger scope name. */
export const INSTRUMENTATION_SCOPE = 'otel-circuit-breaker';

// ---- metric instruments (OTel names) ----
export const METRIC_STATE = 'circuit_breaker.state';
export const METRIC_CALLS = 'circuit_breaker.calls';
export const METRIC_SHADOW_REJECTIONS = 'circuit_breaker.shadow_rejections';
export const METRIC_TRANSITIONS = 'circuit_breaker.transitions';
export const METRIC_FAILURE_RATE = 'circuit_breaker.failure_rate';
export const METRIC_SLOW_CALL_RATE = 'circuit_breaker.slow_call_rate';
export const METRIC_STORE_ERRORS = 'circuit_breaker.store.errors';
export const METRIC_STORE_AVAILABLE = 'circuit_breaker.store.available';
/** Failures by kind (connection, timeout, server, rate_limited, quota, error). */
export const METRIC_FAILURES = 'circuit_breaker.failures';
/** The breaker's own rule values, so alerts and dashboards compare each breaker with its own. */
export const METRIC_FAILURE_RATE_THRESHOLD = 'circuit_breaker.failure_rate_threshold';
export const METRIC_SLOW_CALL_RATE_THRESHOLD = 'circuit_breaker.slow_call_rate_threshold';
export const METRIC_MINIMUM_CALLS = 'circuit_breaker.minimum_calls';
/** Seconds of the current open period (with back-off), or of the one a trip would start now. */
export const METRIC_OPEN_DURATION = 'circuit_breaker.open_duration';
/** Seconds until an open circuit lets a probe through; 0 in every other state. */
export const METRIC_TIME_UNTIL_PROBE = 'circuit_breaker.time_until_probe';
/** Active health checks of hosts that have one, by result (passed, failed). */
export const METRIC_HEALTH_CHECKS = 'circuit_breaker.health_checks';

// ---- attributes ----
export const ATTR_NAME = 'circuit_breaker.name';
export const ATTR_STATE = 'circuit_breaker.state';
export const ATTR_OUTCOME = 'circuit_breaker.outcome';
export const ATTR_FROM = 'circuit_breaker.from';
export const ATTR_TO = 'circuit_breaker.to';
export const ATTR_REASON = 'circuit_breaker.reason';
export const ATTR_REJECTED = 'circuit_breaker.rejected';
export const ATTR_FAILURE_KIND = 'circuit_breaker.failure_kind';
export const ATTR_STORE = 'circuit_breaker.store';
/** Log record attributes describing the breaker when a transition happened. */
export const ATTR_CONSECUTIVE_FAILURES = 'circuit_breaker.consecutive_failures';
export const ATTR_FAILURE_RATE = 'circuit_breaker.failure_rate';
export const ATTR_SLOW_CALL_RATE = 'circuit_breaker.slow_call_rate';
/** For transitions into open: milliseconds until a probe may go through. */
export const ATTR_RETRY_AFTER_MS = 'circuit_breaker.retry_after_ms';
/** Result of one active health check: `passed` or `failed`. */
export const ATTR_HEALTH_CHECK_RESULT = 'circuit_breaker.health_check.result';
/** Values of `circuit_breaker.health_check.result`. */
export const HEALTH_CHECK_RESULTS = ['passed', 'failed'] as const;
/** One value of `circuit_breaker.health_check.result`. */
export type HealthCheckResult = (typeof HEALTH_CHECK_RESULTS)[number];
/** OTel semantic convention `error.type` (class name of the last failure; low cardinality). */
export const ATTR_ERROR_TYPE = 'error.type';

/** Values of `circuit_breaker.outcome`. */
export const OUTCOMES = ['success', 'failure', 'ignored', 'rejected'] as const;
export type CallOutcomeLabel = (typeof OUTCOMES)[number];

// ---- span events ----
export const EVENT_REJECTED = 'circuit_breaker.rejected';
export const EVENT_TRANSITION = 'circuit_breaker.transition';

// ---- spans ----
/** The span of one active health check (a CLIENT span; the check's HTTP span, if any, is its child). */
export const SPAN_HEALTH_CHECK = 'circuit_breaker.health_check';

// ---- OTel HTTP semantic-convention attributes (stable) we set on spans of rejected calls ----
export const ATTR_HTTP_REQUEST_METHOD = 'http.request.method';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';

// ---- synthetic circuit-open response (`rejectWith: response`) ----
/** Response header naming the open circuit: `<breaker name>; state=<state>`. */
export const HEADER_CIRCUIT_BREAKER = 'x-circuit-breaker';
/** JSON `error.type` of the synthetic response body. */
export const CIRCUIT_OPEN_ERROR_TYPE = 'circuit_open';

import { classifySdkError } from './agents/classify-sdk-error.js';
import { agentBreakerOf } from './agents/register-agent-client.js';
import { createRetry, type Retry } from './resilience/retry.js';
import { createWithFallback, type WithFallback } from './resilience/with-fallback.js';

export { CircuitBreaker } from './core/breaker.js';
export type { CircuitBreakerOptions, SharedStateLink } from './core/breaker.js';
export type { BreakerCounters } from './core/call-ledger.js';
export type {
  CircuitBreakerConfig,
  BreakerSettings,
  StoreConfig,
  AdminConfig,
  RegistryLimits,
  CallResult,
} from './config/circuit-breaker-config.js';
export type { BreakerSnapshot } from './core/breaker-snapshot.js';
export { ManualClock, systemClock } from './core/clock.js';
export type { Clock } from './core/clock.js';
export { CircuitOpenError, CIRCUIT_OPEN_CODE, isCircuitOpenError } from './core/errors.js';
export { classifyError, isCallerAbort } from './core/outcome.js';
export type { Classification, ErrorClassifier, FailureKind, Outcome } from './core/outcome.js';
export type { FailureDetail, Permit } from './core/permit.js';
export { PRESETS, PRESET_NAMES } from './core/policy.js';
export {
  resolveCheckedPolicy as resolvePolicy,
  BREAKER_NAME_ALLOWED,
  BREAKER_NAME_MAX_LENGTH,
} from './config/validate-code.js';
export type { BreakerMode, BreakerPolicy, PolicyOverrides, PresetName } from './core/policy.js';
export { BREAKER_STATES } from './core/state-names.js';
export type { BreakerStateName } from './core/state-names.js';
export type { Transition, TransitionListener, TransitionReason } from './core/transition.js';
export { BreakerRegistry, breakers, OVERFLOW_BREAKER_NAME } from './registry/breaker-registry.js';
export type { BreakerRegistryOptions } from './registry/breaker-registry.js';

// Telemetry
export { startBreakerMetrics, breakerMetricViews } from './telemetry/breaker-metrics.js';
export type { BreakerMetricsOptions } from './telemetry/breaker-metrics.js';
export { startTransitionLogs, emitTransitionLog } from './telemetry/transition-logs.js';
export type { TransitionLogsOptions } from './telemetry/transition-logs.js';
export { PROMETHEUS_METRIC_NAMES } from './telemetry/prometheus-names.js';

// Shared state
export { createStore, MemoryStore, RedisStore } from './store/index.js';
export type { StateStore, StoreHealth, StoreLogEvent, RedisStoreOptions } from './store/index.js';
export { SharedStateSync, RedisFleetControl, FleetUnavailableError } from './fleet/index.js';
export type { RedisFleetControlOptions, FleetStore, ProbeLease } from './fleet/index.js';

// Agents and resilience helpers
export { registerAgentClient, agentBreakerOf } from './agents/register-agent-client.js';
export { AGENT_BREAKER_PREFIX } from './config/agent-breaker-name.js';
export type { RegisterAgentClientOptions } from './agents/register-agent-client.js';
export { classifySdkError, createSdkErrorClassifier } from './agents/classify-sdk-error.js';
export type { SdkClassifierOptions } from './agents/classify-sdk-error.js';
export { parseRetryAfterMs } from './core/retry-after.js';
export type { FallbackOptions, FallbackEvent } from './resilience/with-fallback.js';
export type { RetryOptions, RetryEvent } from './resilience/retry.js';
/**
 * Answers with the last good result or a fallback when the circuit is open or the call fails
 * (errors classified by `classifySdkError` unless the options give `classify`).
 *
 * ```ts
 * const ask = withFallback((q: string) => primary.chat.completions.create(request(q)), {
 *   fallback: (_error, q) => secondary.chat.completions.create(request(q)),
 * });
 * ```
 */
export const withFallback: WithFallback = createWithFallback({ classify: classifySdkError });
/**
 * Retries failures with backoff and Retry-After, never into an open circuit; `breaker` may be a
 * client from `registerAgentClient` (errors classified by `classifySdkError` unless `classify`).
 *
 * ```ts
 * const answer = await retry(() => agent.chat.completions.create(req), { breaker: agent });
 * ```
 */
export const retry: Retry = createRetry({
  classify: classifySdkError,
  breakerOf: agentBreakerOf,
});

// Admin endpoint
export { startAdminServer, AdminServerError, ADMIN_ACTIONS } from './admin/index.js';
export type {
  AdminServer,
  AdminServerOptions,
  AdminSnapshot,
  AdminBreakerView,
  AdminActionResult,
  AdminAction,
  FleetControl,
  FleetBreakerView,
} from './admin/index.js';

// Configuration
export { loadConfig } from './config/load-config.js';
export type { LoadConfigOptions } from './config/load-config.js';
export { ConfigError, CONFIG_ERROR_CODE, isConfigError } from './config/config-error.js';
export type { ConfigProblem } from './config/config-error.js';
export { createHostMatcher } from './config/host-matcher.js';
export type { HostMatcher, HostMatcherOptions } from './config/host-matcher.js';
export { CIRCUIT_BREAKER_ENV_VARS, CONFIG_FILE_ENV_VAR } from './config/env-vars.js';
export type { EnvVarSpec } from './config/env-vars.js';
export type {
  ResolvedConfig,
  ResolvedBreakerRule,
  ResolvedStoreConfig,
  ResolvedRedisStoreConfig,
  ResolvedMemoryStoreConfig,
  ResolvedAdminConfig,
  StatusRule,
} from './config/resolved-config.js';

// Auto-instrumentation
export { CircuitBreakerInstrumentation } from './instrumentation.js';
export type { CircuitBreakerInstrumentationConfig } from './instrumentation.js';

// Transports
export { CircuitBreakerSpanProcessor } from './transport/span-processor.js';
export { HttpStatusError, HTTP_STATUS_FAILURE_CODE } from './transport/http-status-error.js';
export type { TransportTarget, TargetResolver } from './transport/transport-target.js';
export {
  HEADER_CIRCUIT_BREAKER,
  CIRCUIT_OPEN_ERROR_TYPE,
  INSTRUMENTATION_SCOPE,
  METRIC_STATE,
  METRIC_CALLS,
  METRIC_FAILURES,
  METRIC_SHADOW_REJECTIONS,
  METRIC_TRANSITIONS,
  METRIC_FAILURE_RATE,
  METRIC_SLOW_CALL_RATE,
  METRIC_STORE_ERRORS,
  METRIC_STORE_AVAILABLE,
} from './semconv.js';

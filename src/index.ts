// The public API of `otel-circuit-breaker`: what an application writes in its code. Wiring between
// the layers (stores, fleet sync, transport targets, env-var tables) is not exported here; the
// telemetry names are exported whole from `otel-circuit-breaker/semconv`. api/ holds the report
// of this surface that CI compares (`npm run api:report` rewrites it).
// On first use: with the first withFallback() or retry().
import { classifySdkError } from './agents/classify-sdk-error.js';
// On first use: with the first retry().
import { agentBreakerOf } from './agents/register-agent-client.js';
// On first use: with the first loadConfig().
import { loadConfig as loadResolvedConfig, type LoadConfigOptions } from './config/load-config.js';
import type { LoadedConfig } from './config/resolved-config.js';
// On first use: with the first retry().
import { createRetry, type Retry, type RetryOptions } from './resilience/retry.js';
// On first use: with the first withFallback().
import {
  createWithFallback,
  type FallbackOptions,
  type WithFallback,
} from './resilience/with-fallback.js';

// The breaker
export { CircuitBreaker } from './core/breaker.js';
export type { CircuitBreakerOptions } from './core/breaker.js';
export type { BreakerCounters } from './core/call-ledger.js';
export type { BreakerSnapshot } from './core/breaker-snapshot.js';
export type { ErrorSummary } from './core/redact.js';
export { ManualClock } from './core/clock.js';
export type { Clock } from './core/clock.js';
export { CircuitOpenError, CIRCUIT_OPEN_CODE, isCircuitOpenError } from './core/errors.js';
export type { CircuitOpenErrorInfo } from './core/errors.js';
export { classifyError } from './core/outcome.js';
export type { Classification, ErrorClassifier, FailureKind, Outcome } from './core/outcome.js';
export type { FailureDetail, Permit } from './core/permit.js';
export { resolveCheckedPolicy as resolvePolicy } from './config/validate-code.js';
export { PRESET_NAMES } from './core/policy.js';
export type { BreakerMode, BreakerPolicy, PolicyOverrides, PresetName } from './core/policy.js';
export { BREAKER_STATES } from './core/state-names.js';
export type { BreakerStateName } from './core/state-names.js';
export type { Transition, TransitionListener, TransitionReason } from './core/transition.js';
export { BreakerRegistry, breakers } from './registry/breaker-registry.js';
export type { BreakerRegistryOptions } from './registry/breaker-registry.js';

// Configuration and auto-instrumentation
export type {
  CircuitBreakerConfig,
  BreakerSettings,
  HostSettings,
  HealthCheckConfig,
  StoreConfig,
  AdminConfig,
  RegistryLimits,
  CallResult,
} from './config/circuit-breaker-config.js';
export { ConfigError, CONFIG_ERROR_CODE, isConfigError } from './config/config-error.js';
export type { ConfigProblem } from './config/config-error.js';
export type { LoadConfigOptions, LoadedConfig };
export { CircuitBreakerInstrumentation } from './instrumentation.js';
export type { CircuitBreakerInstrumentationConfig } from './instrumentation.js';

/**
 * Reads and validates the configuration from the file named by CIRCUIT_BREAKER_CONFIG, the
 * CIRCUIT_BREAKER_* env vars and `code` (precedence code > env > file), as `register` and the
 * instrumentation do, without starting anything. Throws a ConfigError listing every problem.
 *
 * ```ts
 * const { sources, warnings } = loadConfig({ env: { CIRCUIT_BREAKER_CONFIG: './circuit-breakers.yaml' } });
 * ```
 */
export function loadConfig(options?: LoadConfigOptions): LoadedConfig {
  return loadResolvedConfig(options);
}

// Breakers for one client, without global patching
export { circuitBreakerInterceptor } from './transport/undici/circuit-breaker-interceptor.js';
export type {
  UndiciDispatch,
  UndiciInterceptor,
} from './transport/undici/circuit-breaker-interceptor.js';
export {
  CircuitBreakerAgent,
  CircuitBreakerHttpsAgent,
} from './transport/http/circuit-breaker-agent.js';
export type { ClientBreakerOptions } from './transport/targets/client-targets.js';

// Telemetry
export { startBreakerMetrics, breakerMetricViews } from './telemetry/breaker-metrics.js';
export type { BreakerMetricsOptions } from './telemetry/breaker-metrics.js';
export { startTransitionLogs } from './telemetry/transition-logs.js';
export type { TransitionLogsOptions } from './telemetry/transition-logs.js';
export { CircuitBreakerSpanProcessor } from './transport/span-processor.js';
export type { StartedSpan } from './transport/span-processor.js';

// Agents and resilience helpers
export { registerAgentClient, agentBreakerOf } from './agents/register-agent-client.js';
export type { RegisterAgentClientOptions } from './agents/register-agent-client.js';
export { createSdkErrorClassifier } from './agents/classify-sdk-error.js';
export type { SdkClassifierOptions } from './agents/classify-sdk-error.js';
export type { FallbackOptions, FallbackEvent } from './resilience/with-fallback.js';
export type { RetryOptions, RetryEvent } from './resilience/retry.js';

// The helpers know no SDK themselves: these are built (on first call, so that importing the
// library loads none of it) with the SDK error classifier and the lookup of the breaker behind a
// client from registerAgentClient.
let sdkWithFallback: WithFallback | undefined;
let sdkRetry: Retry | undefined;

/**
 * Answers with the last good result or a fallback when the circuit is open or the call fails
 * (errors classified as `createSdkErrorClassifier()` does unless the options give `classify`).
 *
 * ```ts
 * const ask = withFallback((q: string) => primary.chat.completions.create(request(q)), {
 *   fallback: (_error, q) => secondary.chat.completions.create(request(q)),
 * });
 * ```
 */
export function withFallback<A extends unknown[], T>(
  fn: (...args: A) => T | PromiseLike<T>,
  options: FallbackOptions<A, T>,
): (...args: A) => Promise<Awaited<T>> {
  sdkWithFallback ??= createWithFallback({ classify: classifySdkError });
  return sdkWithFallback(fn, options);
}

/**
 * Retries failures with backoff and Retry-After, never into an open circuit; `breaker` may be a
 * client from `registerAgentClient` (errors classified as `createSdkErrorClassifier()` does unless
 * the options give `classify`).
 *
 * ```ts
 * const answer = await retry(() => agent.chat.completions.create(req), { breaker: agent });
 * ```
 */
export function retry<T>(
  fn: (attempt: number) => T | PromiseLike<T>,
  options?: RetryOptions,
): Promise<Awaited<T>> {
  sdkRetry ??= createRetry({ classify: classifySdkError, breakerOf: agentBreakerOf });
  return sdkRetry(fn, options);
}

// Admin endpoint
export { startAdminServer, AdminServerError } from './admin/index.js';
export type { AdminServer, AdminServerOptions, AdminServerErrorCode } from './admin/index.js';

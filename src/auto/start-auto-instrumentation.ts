// On first use: the OpenTelemetry API loads when a provider may be registered.
import { metrics, trace } from '@opentelemetry/api';
import type * as SdkNode from '@opentelemetry/sdk-node';
import { writeSync } from 'node:fs';
import { isConfigError } from '../config/config-error.js';
import { breakerMetricViews } from '../telemetry/breaker-metrics.js';
// On first use: only a process that exports traces annotates spans.
import { CircuitBreakerSpanProcessor } from '../transport/span-processor.js';
import type { ResolvedConfig } from '../config/resolved-config.js';
import { PACKAGE_VERSION } from '../telemetry/package-version.js';
import { apiGlobalsRegistered } from '../telemetry/api-globals.js';
import { RegisterInstrumentation } from './register-instrumentation.js';
// On first use: only when we start the SDK (not with OTEL_SDK_DISABLED or the app's own SDK).
import {
  loadSdkParts,
  metricsOnlyStartFits,
  startMetricsOnlySdk,
  type StartedSdk,
} from './metrics-only-sdk.js';
// On first use: only when metrics go to our Prometheus endpoint.
import { startPrometheusEndpoint } from './prometheus-endpoint.js';
import { startupSummary, type MetricsDestination } from './startup-summary.js';

export interface AutoInstrumentation {
  readonly instrumentation: RegisterInstrumentation | undefined;
  /** The SDK we started, when the app had none. */
  readonly sdk: StartedSdk | undefined;
}

const GLOBAL_KEY = Symbol.for('otel-circuit-breaker.auto');
const warn = (message: string) => writeStderr(`otel-circuit-breaker: ${message}\n`);

/**
 * Writes to fd 2 directly, as `process.stderr` does for a file or pipe on POSIX: the first use of
 * `process.stderr` builds a socket stream for a pipe, which loads Node's sockets and streams (2 MiB)
 * in a process that may never use them. The stream is the fallback (a non-blocking pipe that is
 * full, Windows).
 */
function writeStderr(text: string): void {
  try {
    if (process.platform !== 'win32') {
      writeSync(2, text);
      return;
    }
  } catch {
    // Written by the stream below instead.
  }
  process.stderr.write(text);
}

/**
 * What `--require otel-circuit-breaker/register` and `--import …/register` run, once per process.
 * Invalid config prints the validation message and exits 1 before the app runs. If no OTel SDK is
 * running, starts NodeSDK with a Prometheus endpoint (OTEL_EXPORTER_PROMETHEUS_HOST/PORT, :9464)
 * unless OTEL_SDK_DISABLED; otherwise joins the app's SDK through its global providers.
 */
export function startAutoInstrumentation(
  env: NodeJS.ProcessEnv = process.env,
): AutoInstrumentation {
  const existing = (globalThis as Record<symbol, AutoInstrumentation | undefined>)[GLOBAL_KEY];
  if (existing !== undefined) return existing;
  const started = start(env);
  (globalThis as Record<symbol, AutoInstrumentation | undefined>)[GLOBAL_KEY] = started;
  return started;
}

function start(env: NodeJS.ProcessEnv): AutoInstrumentation {
  const appSdk = sdkAlreadyRunning();
  const startsSdk = !appSdk && env.OTEL_SDK_DISABLED !== 'true';
  // The instrumentation's constructor installs our module-load hook, which then looks at every
  // module loaded: the SDK's parts load before it when we are to start them.
  if (startsSdk && metricsExportersOf(env).includes('prometheus')) loadSdkParts();
  let instrumentation: RegisterInstrumentation;
  try {
    instrumentation = new RegisterInstrumentation({ env });
  } catch (error) {
    if (!isConfigError(error)) throw error;
    warn(`invalid configuration, not starting the app:\n${error.message}`);
    process.exit(1);
  }
  const resolved = instrumentation.resolved;
  if (!resolved.enabled) {
    report(resolved, { kind: 'none', why: 'disabled' });
    return { instrumentation, sdk: undefined };
  }
  if (!startsSdk) {
    instrumentation.useGlobalProviders();
    report(
      resolved,
      appSdk ? { kind: 'app-sdk' } : { kind: 'none', why: 'OTEL_SDK_DISABLED=true' },
    );
    return { instrumentation, sdk: undefined };
  }
  const { sdk, metrics } = startSdk(instrumentation, env);
  report(resolved, metrics);
  return { instrumentation, sdk };
}

/** The startup line and warnings on stderr, so a user sees what is (not) protected. */
function report(resolved: ResolvedConfig, metrics: MetricsDestination): void {
  const summary = startupSummary(resolved, PACKAGE_VERSION ?? 'unknown', metrics);
  if (summary.line !== undefined) writeStderr(`${summary.line}\n`);
  for (const warning of summary.warnings) warn(`warning: ${warning}`);
}

/** A global meter or tracer provider other than the API's no-op/proxy defaults means the app has an SDK. */
function sdkAlreadyRunning(): boolean {
  if (!apiGlobalsRegistered()) return false; // nothing registered: no SDK, and no need to load the API
  const meterProvider = metrics.getMeterProvider();
  if (meterProvider.constructor.name !== 'NoopMeterProvider') return true;
  const tracerProvider = trace.getTracerProvider() as { getDelegate?: () => object };
  const delegate = tracerProvider.getDelegate?.() ?? tracerProvider;
  return delegate.constructor.name !== 'NoopTracerProvider';
}

function metricsExportersOf(env: NodeJS.ProcessEnv): string[] {
  return (env.OTEL_METRICS_EXPORTER ?? 'prometheus').split(',').map((s) => s.trim());
}

function startSdk(
  instrumentation: RegisterInstrumentation,
  env: NodeJS.ProcessEnv,
): { sdk: StartedSdk; metrics: MetricsDestination } {
  // Without a collector, OTLP exporters would log connection errors forever: traces and logs are
  // off unless the user names an exporter. Metrics default to our Prometheus endpoint.
  env.OTEL_TRACES_EXPORTER ??= 'none';
  env.OTEL_LOGS_EXPORTER ??= 'none';
  const metricsExporters = metricsExportersOf(env);
  const usePrometheus = metricsExporters.includes('prometheus');
  const others = metricsExporters.filter((e) => e !== 'prometheus' && e !== '');
  // We serve Prometheus ourselves; NodeSDK configures any other exporters named in the env var.
  if (usePrometheus) env.OTEL_METRICS_EXPORTER = others.length > 0 ? others.join(',') : 'none';
  const endpoint = usePrometheus ? startPrometheusEndpoint(env, warn) : undefined;
  const views = breakerMetricViews(instrumentation.resolved.registry.maxBreakers);
  let sdk: StartedSdk;
  if (endpoint !== undefined && metricsOnlyStartFits(env)) {
    sdk = startMetricsOnlySdk(instrumentation, endpoint.exporter, views);
  } else {
    // Loaded here, not at the top: NodeSDK's module loads every exporter it may ever configure.
    const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof SdkNode;
    const nodeSdk = new NodeSDK({
      instrumentations: [instrumentation],
      views,
      ...(endpoint !== undefined ? { metricReaders: [endpoint.exporter] } : {}),
    });
    nodeSdk.start();
    sdk = nodeSdk;
  }
  if (env.OTEL_TRACES_EXPORTER !== 'none') attachSpanProcessor(new CircuitBreakerSpanProcessor());
  const named = others.filter((e) => e !== 'none');
  const metrics: MetricsDestination =
    endpoint !== undefined
      ? { kind: 'prometheus', url: endpoint.url }
      : named.length > 0
        ? { kind: 'exporters', names: named.join(',') }
        : { kind: 'none', why: 'OTEL_METRICS_EXPORTER=none' };
  return { sdk, metrics };
}

/**
 * Adds our span processor (it annotates undici's HTTP client spans at start) to the tracer
 * provider NodeSDK built from OTEL_TRACES_EXPORTER. NodeSDK's `spanProcessors` option would
 * replace the processors it builds from that env var, and the SDK offers no public way to append
 * one, so this reaches the provider's processor list; if its shape ever changes we only lose the
 * span annotation (warned), never the user's exporters.
 */
function attachSpanProcessor(processor: CircuitBreakerSpanProcessor): void {
  const proxy = trace.getTracerProvider() as { getDelegate?: () => unknown };
  const provider = (proxy.getDelegate?.() ?? proxy) as {
    _activeSpanProcessor?: { _spanProcessors?: unknown };
  };
  const list = provider._activeSpanProcessor?._spanProcessors;
  if (Array.isArray(list)) list.unshift(processor);
  else
    warn('could not add CircuitBreakerSpanProcessor; add it to your SDK to annotate undici spans');
}

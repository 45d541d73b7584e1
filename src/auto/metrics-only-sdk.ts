import { createRequire } from 'node:module';
import { context, metrics, propagation } from '@opentelemetry/api';
import type * as ContextAsyncHooks from '@opentelemetry/context-async-hooks';
import type * as Core from '@opentelemetry/core';
import type * as Resources from '@opentelemetry/resources';
import type * as SdkMetrics from '@opentelemetry/sdk-metrics';
import type { MetricReader, ViewOptions } from '@opentelemetry/sdk-metrics';
import type { RegisterInstrumentation } from './register-instrumentation.js';

/** What `register` keeps of the SDK it started: enough to shut it down. */
export interface StartedSdk {
  shutdown(): Promise<void>;
}

/** Env vars that make NodeSDK do more than the metrics-only start below (logging, other wiring). */
const NODE_SDK_ONLY_ENV_VARS = [
  'OTEL_SDK_DISABLED',
  'OTEL_LOG_LEVEL',
  'OTEL_PROPAGATORS',
  'OTEL_NODE_RESOURCE_DETECTORS',
];

/**
 * Whether NodeSDK, given only our metric reader, would start nothing but a meter provider: traces
 * and logs exporters `none` and none of the env vars above. NodeSDK reads `process.env` itself.
 */
export function metricsOnlyStartFits(env: NodeJS.ProcessEnv): boolean {
  return (
    env === process.env &&
    env.OTEL_TRACES_EXPORTER === 'none' &&
    env.OTEL_LOGS_EXPORTER === 'none' &&
    NODE_SDK_ONLY_ENV_VARS.every((name) => env[name] === undefined)
  );
}

/**
 * The SDK packages a start needs (NodeSDK loads them too), from NodeSDK's own dependencies so they
 * are the very versions it would use.
 */
export function loadSdkPackages(): {
  resources: typeof Resources;
  core: typeof Core;
  contextAsyncHooks: typeof ContextAsyncHooks;
  sdkMetrics: typeof SdkMetrics;
} {
  const fromSdk = createRequire(require.resolve('@opentelemetry/sdk-node'));
  return {
    resources: fromSdk('@opentelemetry/resources') as typeof Resources,
    core: fromSdk('@opentelemetry/core') as typeof Core,
    contextAsyncHooks: fromSdk('@opentelemetry/context-async-hooks') as typeof ContextAsyncHooks,
    sdkMetrics: fromSdk('@opentelemetry/sdk-metrics') as typeof SdkMetrics,
  };
}

/**
 * What `new NodeSDK({ instrumentations, views, metricReaders: [reader] }).start()` does when
 * `metricsOnlyStartFits`, step for step, without loading NodeSDK: its module loads every exporter
 * (OTLP over HTTP, protobuf and gRPC, Zipkin) and the trace and log SDKs, which such a process never
 * uses and would pay for at every start.
 */
export function startMetricsOnlySdk(
  instrumentation: RegisterInstrumentation,
  reader: MetricReader,
  views: ViewOptions[],
): StartedSdk {
  const { resources, core, contextAsyncHooks, sdkMetrics } = loadSdkPackages();
  const { AsyncLocalStorageContextManager } = contextAsyncHooks;
  const { MeterProvider } = sdkMetrics;

  const baseResource = resources.defaultResource();
  instrumentation.useGlobalProviders();
  const contextManager = new AsyncLocalStorageContextManager();
  contextManager.enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(
    new core.CompositePropagator({
      propagators: [new core.W3CTraceContextPropagator(), new core.W3CBaggagePropagator()],
    }),
  );
  const resource = baseResource.merge(
    resources.detectResources({
      detectors: [
        resources.serviceInstanceIdDetector,
        resources.processDetector,
        resources.hostDetector,
        resources.osDetector,
        resources.envDetector,
      ],
    }),
  );
  const meterProvider = new MeterProvider({
    resource,
    views,
    readers: [reader],
    sdkMetricsEnabled: core.getBooleanFromEnv('OTEL_NODE_EXPERIMENTAL_SDK_METRICS'),
  });
  metrics.setGlobalMeterProvider(meterProvider);
  instrumentation.setMeterProvider(metrics.getMeterProvider());
  return { shutdown: () => meterProvider.shutdown() };
}

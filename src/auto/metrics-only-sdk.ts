import { context, metrics, propagation } from '@opentelemetry/api';
import type { MetricReader, ViewOptions } from '@opentelemetry/sdk-metrics';
import type { RegisterInstrumentation } from './register-instrumentation.js';
import { serviceInstanceIdDetector } from './service-instance-id.js';
import type * as SdkParts from './sdk-parts.js';

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

/** The SDK parts a start needs, in one bundled module (sdk-parts.ts), loaded on first use. */
export function loadSdkParts(): typeof SdkParts {
  return require('./sdk-parts.js') as typeof SdkParts;
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
  const sdk = loadSdkParts();

  const baseResource = sdk.defaultResource();
  instrumentation.useGlobalProviders();
  const contextManager = new sdk.AsyncLocalStorageContextManager();
  contextManager.enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(
    new sdk.CompositePropagator({
      propagators: [new sdk.W3CTraceContextPropagator(), new sdk.W3CBaggagePropagator()],
    }),
  );
  const resource = baseResource.merge(
    sdk.detectResources({
      detectors: [
        serviceInstanceIdDetector,
        sdk.processDetector,
        sdk.hostDetector,
        sdk.osDetector,
        sdk.envDetector,
      ],
    }),
  );
  const meterProvider = new sdk.MeterProvider({
    resource,
    views,
    readers: [reader],
    sdkMetricsEnabled: sdk.getBooleanFromEnv('OTEL_NODE_EXPERIMENTAL_SDK_METRICS'),
  });
  metrics.setGlobalMeterProvider(meterProvider);
  instrumentation.setMeterProvider(metrics.getMeterProvider());
  return { shutdown: () => meterProvider.shutdown() };
}

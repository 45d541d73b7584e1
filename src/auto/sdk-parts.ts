// What `register` takes from the OpenTelemetry SDK when it starts one itself (the app runs none and
// metrics go to our Prometheus endpoint): the metrics SDK, the resource detectors, the context
// manager and propagators NodeSDK would install, and the Prometheus exporter. The build bundles
// this file and those packages into one module (scripts/sdk-bundle.mjs): loaded as packages they
// are about 170 files, whose resolution, reads and compiles were a third of such a process's
// start-up. `@opentelemetry/api` stays outside the bundle: it holds the process's global providers.
export {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  osDetector,
  processDetector,
} from '@opentelemetry/resources';
export {
  CompositePropagator,
  getBooleanFromEnv,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
export { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
export { MeterProvider } from '@opentelemetry/sdk-metrics';
export { PrometheusExporter } from '@opentelemetry/exporter-prometheus';

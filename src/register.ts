// `node --require otel-circuit-breaker/register app.js`: validates the config (exits 1 on a bad
// value before the app runs), patches fetch/undici/http(s) for the configured hosts, and starts an
// OpenTelemetry SDK with a Prometheus endpoint unless the app already runs one.
import { startAutoInstrumentation } from './auto/start-auto-instrumentation.js';
import { isStoreWorker } from './store/store-thread.js';

// Not in the Redis store's worker thread (NODE_OPTIONS preloads there too): see store-thread.ts.
if (!isStoreWorker()) startAutoInstrumentation();

// `node --import otel-circuit-breaker/register app.mjs`: installs OpenTelemetry's ESM loader hook
// (import-in-the-middle) so `import { fetch } from 'undici'` and other ESM imports are seen by the
// instrumentations, then starts the same auto-instrumentation as the CommonJS entry.
import { register } from 'node:module';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// Nothing in the Redis store's worker thread (NODE_OPTIONS preloads there too).
if (!require('../cjs/store/store-thread.js').isStoreWorker()) {
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  require('../cjs/register.js');
}

// node examples/own-sdk/run.mjs
// Starts a local service that answers 503 and runs app.mjs, which starts its own NodeSDK with
// CircuitBreakerInstrumentation and a PrometheusExporter. Exits 0 when the app's own metrics show
// the circuit open and two rejected calls, and the service received three requests (about 1 s).
import { fileURLToPath } from 'node:url';
import { finish, metricsPort, sendJson, startApp, startUpstream } from '../support/harness.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const service = await startUpstream((_req, res) => sendJson(res, 503, { error: 'unavailable' }));
console.log(`service   ${service.url}: always 503`);
console.log(`app       node app.mjs  (its own NodeSDK; metrics on :${metricsPort})\n`);

const app = startApp(['app.mjs'], {
  cwd: here,
  // No OTLP collector here: keep the SDK's traces and logs exporters off.
  env: { UPSTREAM_URL: service.url, OTEL_TRACES_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' },
});
const code = await app.exited;
await service.close();
console.log(`\nthe service received ${service.requests()} requests`);

const breaker = service.host;
const has = (re) => app.lines.some((l) => re.test(l));
finish({
  'the app exited 0': code === 0,
  'its exporter shows the circuit open': has(
    new RegExp(
      `circuit_breaker_state\\{circuit_breaker_name="${breaker}",circuit_breaker_state="open"\\} 1`,
    ),
  ),
  'its exporter counts 2 rejected calls': has(
    new RegExp(
      `circuit_breaker_calls_total\\{circuit_breaker_name="${breaker}",circuit_breaker_outcome="rejected"\\} 2`,
    ),
  ),
  'the service received 3 requests': service.requests() === 3,
});

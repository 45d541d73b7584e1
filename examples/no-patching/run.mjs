// node examples/no-patching/run.mjs
// Breakers for chosen clients only, with no `register` and no patched prototype: an undici Agent
// composed with `retry()` and `circuitBreakerInterceptor`, and axios with a `CircuitBreakerAgent`,
// both guarding one upstream that answers 503. Three failed calls open the circuit; the next calls
// of both clients are rejected at once with nothing sent (they share the process-wide registry),
// while a plain `fetch` of the same host still reaches it. Metrics come from the same registry.
// Exits 0 when all of that happened (about a second).
import { createServer } from 'node:http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import axios from 'axios';
import { Agent, interceptors } from 'undici';
import {
  breakers,
  CircuitBreakerAgent,
  circuitBreakerInterceptor,
  startBreakerMetrics,
} from 'otel-circuit-breaker';
import { finish, printSeries, sendJson, startUpstream } from '../support/harness.mjs';

const upstream = await startUpstream((_req, res) => sendJson(res, 503, { error: 'down' }));
console.log(`upstream  ${upstream.url}: answers 503 to everything\n`);

// The same options for both clients: the config's host map, validated like the config file.
const options = { hosts: { [upstream.host]: { failureThreshold: 3, openSeconds: 30 } } };
// Last in compose() is outermost: the breaker sees one call per logical request, whatever retry does.
const dispatcher = new Agent().compose(
  interceptors.retry({ maxRetries: 1, minTimeout: 10, statusCodes: [503] }),
  circuitBreakerInterceptor(options),
);
const httpAgent = new CircuitBreakerAgent(options, { keepAlive: true });

/** One call, described: its status, or how it failed, and how many requests reached the upstream. */
async function described(call) {
  const before = upstream.requests();
  let outcome;
  try {
    outcome = String(await call());
  } catch (error) {
    const code = error.code ?? error.cause?.code;
    // retry() gives up on a 503 with a RequestRetryError that carries the status.
    outcome =
      code === 'ECIRCUITOPEN'
        ? 'rejected at once (ECIRCUITOPEN)'
        : error.statusCode !== undefined
          ? String(error.statusCode)
          : String(error);
  }
  return { outcome, sent: upstream.requests() - before };
}

const viaUndici = () =>
  dispatcher.request({ origin: upstream.url, path: '/prices', method: 'GET' }).then(async (res) => {
    await res.body.dump();
    return res.statusCode;
  });
const viaAxios = () =>
  axios
    .get(`${upstream.url}/prices`, { httpAgent, proxy: false, validateStatus: () => true })
    .then((res) => res.status);
const viaPlainFetch = () =>
  fetch(`${upstream.url}/prices`).then(async (res) => {
    await res.arrayBuffer();
    return res.status;
  });

const results = [];
for (let i = 1; i <= 5; i++) {
  const { outcome, sent } = await described(viaUndici);
  results.push({ outcome, sent });
  console.log(`undici + retry + interceptor  call ${i}: ${outcome}, ${sent} request(s) sent`);
}
const axiosCall = await described(viaAxios);
console.log(
  `axios + CircuitBreakerAgent   call 1: ${axiosCall.outcome}, ${axiosCall.sent} request(s) sent`,
);
const plainCall = await described(viaPlainFetch);
console.log(
  `plain fetch (not guarded)     call 1: ${plainCall.outcome}, ${plainCall.sent} request(s) sent`,
);

// Metrics read the process-wide registry both clients use: no SDK or register needed for them.
const exporter = new PrometheusExporter({ preventServerStart: true });
startBreakerMetrics(breakers, { meterProvider: new MeterProvider({ readers: [exporter] }) });
const metricsServer = createServer((req, res) => exporter.getMetricsRequestHandler(req, res));
await new Promise((resolve) => metricsServer.listen(0, '127.0.0.1', resolve));
const metricsUrl = `http://127.0.0.1:${metricsServer.address().port}/metrics`;
const text = await (await fetch(metricsUrl)).text();
const samples = [];
for (const [, name, labelText, value] of text.matchAll(/^(circuit_breaker_\w+)\{(.*)\} (\S+)$/gm)) {
  const labels = Object.fromEntries(
    [...labelText.matchAll(/(\w+)="([^"]*)"/g)].map((m) => m.slice(1)),
  );
  delete labels.otel_scope_name;
  delete labels.otel_scope_version;
  samples.push({ name, labels, value: Number(value) });
}
console.log(`\nscrape of ${metricsUrl} (non-zero series):`);
printSeries(samples, (s) => /_(state|calls_total)$/.test(s.name));

metricsServer.close();
httpAgent.destroy();
await dispatcher.close();
await upstream.close();
const openState = samples.find(
  (s) => s.name === 'circuit_breaker_state' && s.labels.circuit_breaker_state === 'open',
);
finish({
  'the first three calls reached the upstream (each retried once: 2 requests)': results
    .slice(0, 3)
    .every((r) => r.outcome === '503' && r.sent === 2),
  'then the circuit was open: calls 4 and 5 rejected at once, nothing sent': results
    .slice(3)
    .every((r) => r.outcome === 'rejected at once (ECIRCUITOPEN)' && r.sent === 0),
  'axios through CircuitBreakerAgent shares the breaker: rejected, nothing sent':
    axiosCall.outcome === 'rejected at once (ECIRCUITOPEN)' && axiosCall.sent === 0,
  'a plain fetch is not guarded (no global patch): it reached the upstream':
    plainCall.outcome === '503' && plainCall.sent === 1,
  'the metrics show the breaker open': openState?.value === 1,
});

// node examples/basic-fetch/run.mjs
// Starts a local upstream (healthy → 503 for 3 s → healthy), runs app.cjs under
// `node --require otel-circuit-breaker/register` with circuit-breakers.yaml, watches the app's
// Prometheus endpoint, and exits 0 once the circuit has opened and closed again (about 6 s).
import { fileURLToPath } from 'node:url';
import {
  finish,
  metricsPort,
  printSeries,
  scrape,
  sendJson,
  startApp,
  startUpstream,
  stateIn,
  total,
  waitFor,
} from '../support/harness.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const BREAKER = '127.0.0.1'; // the key in circuit-breakers.yaml is the breaker's name
let firstRequestAt; // the timeline starts with the app's first call, however long it took to start
const upstream = await startUpstream((_req, res) => {
  firstRequestAt ??= Date.now();
  const elapsed = Date.now() - firstRequestAt;
  const status = elapsed < 1500 || elapsed > 4500 ? 200 : 503;
  sendJson(res, status, { price: 42, status });
});

console.log(
  `upstream  ${upstream.url}: from its first request: 200 for 1.5 s, then 503 for 3 s, then 200 again`,
);
console.log(`metrics   http://127.0.0.1:${metricsPort}/metrics`);
console.log(
  'app       CIRCUIT_BREAKER_CONFIG=./circuit-breakers.yaml node --require otel-circuit-breaker/register app.cjs\n',
);
const app = startApp(['--require', 'otel-circuit-breaker/register', 'app.cjs'], {
  cwd: here,
  env: { CIRCUIT_BREAKER_CONFIG: './circuit-breakers.yaml', UPSTREAM_URL: upstream.url },
});

// Watch the breaker's state the way Prometheus would see it, and print each change.
let last = 'closed';
let opened = false;
const recovered = await waitFor(async () => {
  if (app.child.exitCode !== null) return 'app exited'; // it died (its output says why)
  const state = stateIn(await scrape(), BREAKER);
  if (state !== undefined && state !== last) {
    console.log(
      `metrics   circuit_breaker_state{circuit_breaker_name="${BREAKER}"}: ${last} → ${state}`,
    );
    last = state;
    if (state === 'open') opened = true;
  }
  return opened && state === 'closed';
}, 15_000).then((done) => done === true);

const samples = await scrape();
console.log(`\nscrape of http://127.0.0.1:${metricsPort}/metrics (non-zero series):`);
printSeries(samples, (s) => /_(state|calls_total|transitions_total)$/.test(s.name));
await app.stop();
await upstream.close();

const rejected = total(samples, 'circuit_breaker_calls_total', {
  circuit_breaker_name: BREAKER,
  circuit_breaker_outcome: 'rejected',
});
console.log(
  `\nupstream received ${upstream.requests()} requests; ${rejected} calls were rejected without leaving the process`,
);
finish({
  'the circuit opened after the upstream started failing': opened,
  'calls were rejected while it was open': rejected > 0,
  'it closed again after the upstream recovered': Boolean(recovered),
});

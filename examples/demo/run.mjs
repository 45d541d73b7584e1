// npm run demo — needs nothing but Node. Starts a flaky upstream (healthy → failing → healthy) and
// an app that calls it with plain fetch under `--require otel-circuit-breaker/register`; prints a
// line per second and every state change, then the app's metrics, and exits by itself (about 12 s).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/harness.mjs';
import { startFlakyUpstream } from './flaky-upstream.mjs';

const seconds = Number(process.env.DEMO_SECONDS ?? 11);
// Never 9464 blindly: another process there would answer the scrape below with its metrics.
const metricsPort = process.env.OTEL_EXPORTER_PROMETHEUS_PORT || (await freePort());
const upstream = await startFlakyUpstream([
  [3_000, 200], // healthy
  [4_500, 503], // failing
  [Infinity, 200], // recovered
]);
const host = `127.0.0.1:${upstream.port}`;
console.log(`upstream  http://${host}  healthy for 3 s, then 503 for 4.5 s, then healthy again`);
console.log(
  `metrics   http://127.0.0.1:${metricsPort}/metrics  (Prometheus format, while the demo runs)`,
);
console.log(
  `app       node --require otel-circuit-breaker/register app.cjs  (CIRCUIT_BREAKER_HOSTS=${host})\n`,
);

const app = spawn(
  process.execPath,
  [
    '--require',
    'otel-circuit-breaker/register',
    fileURLToPath(new URL('./app.cjs', import.meta.url)),
  ],
  {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      UPSTREAM_URL: `http://${host}`,
      DEMO_SECONDS: String(seconds),
      CIRCUIT_BREAKER_HOSTS: host,
      CIRCUIT_BREAKER_PRESET: 'fast-recovery',
      CIRCUIT_BREAKER_OPEN_SECONDS: '2',
      CIRCUIT_BREAKER_JITTER_RATIO: '0',
      OTEL_SERVICE_NAME: 'otel-circuit-breaker-demo',
      OTEL_EXPORTER_PROMETHEUS_PORT: metricsPort,
    },
  },
);
const exited = new Promise((resolve) => app.on('exit', resolve));

// A last look at what Prometheus would scrape, taken just before the app exits and printed after
// it did, so it never cuts into the app's lines.
const scraped = new Promise((resolve) =>
  setTimeout(() => resolve(scrapeApp()), seconds * 1000 - 500),
);
const code = await exited;
const scrape = await scraped;
console.log(`\nscrape of http://127.0.0.1:${metricsPort}/metrics (non-zero breaker series):`);
for (const line of scrape.lines) console.log(`  ${line}`);
console.log(
  `\nupstream saw ${upstream.requests()} requests; the rest were rejected without leaving the process.`,
);
await upstream.close();
if (scrape.problem !== undefined) console.log(`FAIL  ${scrape.problem}`);
process.exit(code !== 0 ? (code ?? 1) : scrape.problem !== undefined ? 1 : 0);

/** The app's non-zero breaker series, or the reason they could not be read from the app itself. */
async function scrapeApp() {
  let text;
  try {
    text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  } catch (err) {
    return { lines: [], problem: `metrics endpoint not reachable: ${err.message}` };
  }
  if (!new RegExp(`^target_info\\{.*process_pid="${app.pid}"`, 'm').test(text)) {
    return {
      lines: [],
      problem: `port ${metricsPort} is served by another process, not the demo app: set OTEL_EXPORTER_PROMETHEUS_PORT to a free port`,
    };
  }
  const lines = text
    .split('\n')
    .filter(
      (l) => /^circuit_breaker_(state|calls_total|transitions_total)\{/.test(l) && !/ 0$/.test(l),
    )
    .map((l) => l.replace(/,?otel_scope_(name|version)="[^"]*"/g, ''));
  return { lines, problem: lines.length === 0 ? 'the scrape holds no breaker series' : undefined };
}

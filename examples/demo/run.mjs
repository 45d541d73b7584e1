// npm run demo — needs nothing but Node. Starts a flaky upstream (healthy → failing → healthy) and
// an app that calls it with plain fetch under `--require otel-circuit-breaker/register`; prints a
// line per second and the metrics URL, then exits by itself (about 30 s).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startFlakyUpstream } from './flaky-upstream.mjs';

const seconds = Number(process.env.DEMO_SECONDS ?? 25);
const metricsPort = process.env.OTEL_EXPORTER_PROMETHEUS_PORT ?? '9464';
const upstream = await startFlakyUpstream([
  [6_000, 200], // healthy
  [15_000, 503], // failing
  [Infinity, 200], // recovered
]);
const host = `127.0.0.1:${upstream.port}`;
console.log(`upstream  http://${host}  healthy for 6 s, then 503 for 9 s, then healthy again`);
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
      CIRCUIT_BREAKER_JITTER_RATIO: '0',
      OTEL_SERVICE_NAME: 'otel-circuit-breaker-demo',
      OTEL_EXPORTER_PROMETHEUS_PORT: metricsPort,
    },
  },
);

// A last look at what Prometheus would scrape, just before the app exits.
setTimeout(
  async () => {
    try {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const lines = text
        .split('\n')
        .filter(
          (l) =>
            /^circuit_breaker_(state|calls_total|transitions_total)\{/.test(l) && !/ 0$/.test(l),
        );
      console.log(`\nscrape of http://127.0.0.1:${metricsPort}/metrics (non-zero breaker series):`);
      for (const l of lines)
        console.log(`  ${l.replace(/,?otel_scope_(name|version)="[^"]*"/g, '')}`);
      console.log('');
    } catch (err) {
      console.log(`(metrics endpoint not reachable: ${err.message})`);
    }
  },
  (seconds - 1) * 1000,
);

const code = await new Promise((resolve) => app.on('exit', resolve));
console.log(
  `upstream saw ${upstream.requests()} requests; the rest were rejected without leaving the process.`,
);
await upstream.close();
process.exit(code ?? 1);

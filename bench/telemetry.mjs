// Telemetry on vs off: closed-state execute() with the breaker metrics registered on a real
// MeterProvider + PrometheusExporter (scraped over HTTP in the middle of the run) against the same
// call with no telemetry, in one process and run. The metrics are observable instruments read at
// collection time, so a call should pay nothing: target ratio (off ns ÷ on ns) ≥ 0.98, met unless
// ratio + 2·SE stays below it. The ratio is the median of per-round ratios, its SE bootstrapped over
// the rounds; an A/A control (off ÷ an identical off breaker) shows the run's own noise.
// BENCH_QUICK=1: fewer calls and rounds.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import * as lib from '../dist/esm/index.mjs';
import { fmt, median, nsPerCall, printTable } from './lib/harness.mjs';
import { beginRun } from './lib/run-record.mjs';
import { bootstrapSe, ratioGate, Targets } from './lib/verdict.mjs';

const require = createRequire(import.meta.url);
// Until src/index.ts exports it, take it from the CommonJS build directly.
const startBreakerMetrics =
  lib.startBreakerMetrics ??
  require('../dist/cjs/telemetry/breaker-metrics.js').startBreakerMetrics;
const { BreakerRegistry } = lib;
// Some OTel packages do not export ./package.json; read it from node_modules.
const packageVersion = (name) =>
  JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8'))
    .version;

const quick = process.env.BENCH_QUICK === '1';
// Many short rounds, each running every case back to back, give paired samples: on shared, noisy
// machines the median of per-round ratios is far steadier than a ratio of two medians.
const CALLS = quick ? 100_000 : 250_000;
const ROUNDS = quick ? 11 : 31;
const TARGET = 0.98;

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

const run = beginRun('telemetry');
const port = await freePort();
const exporter = new PrometheusExporter({ host: '127.0.0.1', port, preventServerStart: true });
await exporter.startServer();
const meterProvider = new MeterProvider({ readers: [exporter] });

const fn = async () => 1;
const off = new BreakerRegistry().get('off.example.com');
// A second, identical telemetry-off breaker: its ratio to the first shows this run's noise floor.
const control = new BreakerRegistry().get('control.example.com');
const onRegistry = new BreakerRegistry();
const dispose = startBreakerMetrics(onRegistry, { meterProvider });
const on = onRegistry.get('on.example.com');

const cases = [
  { name: 'bare call', run: () => fn() },
  { name: 'execute(), telemetry off', run: () => off.execute(fn) },
  { name: 'execute(), telemetry on', run: () => on.execute(fn) },
  { name: 'execute(), telemetry off (A/A control)', run: () => control.execute(fn) },
];

async function scrape() {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  const text = await response.text();
  const line = text
    .split('\n')
    .find((l) => l.includes('on.example.com') && l.includes('outcome="success"'));
  if (!line) throw new Error('scrape did not show the measured breaker');
  return { bytes: text.length, line };
}

for (const c of cases) await nsPerCall(c.run, CALLS / 4); // warm-up
const samples = Object.fromEntries(cases.map((c) => [c.name, []]));
const pairedRatios = [];
const controlRatios = [];
let scraped;
for (let r = 0; r < ROUNDS; r++) {
  const round = {};
  for (let k = 0; k < cases.length; k++) {
    const c = cases[(k + r) % cases.length]; // rotate so no case always runs first
    round[c.name] = await nsPerCall(c.run, CALLS);
    samples[c.name].push(round[c.name]);
  }
  pairedRatios.push(round['execute(), telemetry off'] / round['execute(), telemetry on']);
  controlRatios.push(
    round['execute(), telemetry off'] / round['execute(), telemetry off (A/A control)'],
  );
  if (r === Math.floor(ROUNDS / 2)) scraped = await scrape(); // a real collection mid-run
}
const ns = Object.fromEntries(cases.map((c) => [c.name, median(samples[c.name])]));
const ratioOfMedians = ns['execute(), telemetry off'] / ns['execute(), telemetry on'];
const ratio = median(pairedRatios);
const ratioSe = bootstrapSe(pairedRatios, median);
const controlRatio = median(controlRatios);
const controlSe = bootstrapSe(controlRatios, median);

printTable(
  `Closed-state execute(): ns per call (median of ${ROUNDS} rounds × ${CALLS.toLocaleString()} sequential awaits)`,
  ['case', 'total ns', 'overhead ns'],
  cases.map((c) => [
    c.name,
    fmt(ns[c.name]),
    c.name === 'bare call' ? '—' : fmt(ns[c.name] - ns['bare call']),
  ]),
);
console.log(`\nmid-run scrape: ${scraped.bytes} bytes, e.g. ${scraped.line}`);
console.log(
  `telemetry on/off ratio (off ns ÷ on ns): ${fmt(ratio, 3)} median of per-round ratios ` +
    `(SE ${fmt(ratioSe, 3)}, bootstrapped over rounds), ${fmt(ratioOfMedians, 3)} of medians`,
);
console.log(
  `A/A control ratio (off ÷ identical off): ${fmt(controlRatio, 3)} (SE ${fmt(controlSe, 3)}) — the noise floor of this run`,
);

const targets = new Targets();
targets.gate(
  'telemetry on vs off (closed execute)',
  ratioGate({ ratio, se: ratioSe, target: TARGET }),
);
run.finish(targets, {
  versions: {
    'exporter-prometheus': packageVersion('@opentelemetry/exporter-prometheus'),
    'sdk-metrics': packageVersion('@opentelemetry/sdk-metrics'),
  },
  calls: CALLS,
  rounds: ROUNDS,
  nsPerCall: ns,
  samplesNs: samples,
  pairedRatios,
  ratio,
  ratioSe,
  ratioOfMedians,
  controlRatio,
  controlSe,
  controlRatios,
  target: TARGET,
  scrapeBytes: scraped.bytes,
});

dispose();
await meterProvider.shutdown();

// HTTP transport overhead (issue 4 §10): a loopback keep-alive server in a child process; bare vs
// instrumented requests/second for the built-in fetch and npm undici.request to a configured host
// (circuit closed, breaker metrics registered), the unlisted-host pass-through, all in alternating
// rounds of one run; and the p99 time of a fetch rejected while the circuit is open.
// Targets: instrumented >= 0.97 x bare for each client; rejected-fetch p99 < 50 µs.
// Run `npm run build` first: this measures dist/, as users get it.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { once } from 'node:events';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import * as undici from 'undici';
import {
  environment,
  fmt,
  median,
  percentile,
  printTable,
  Targets,
  writeResults,
} from './lib/harness.mjs';

const require = createRequire(import.meta.url);
const dist = (path) => require(`../dist/cjs/${path}`);
const { BreakerRegistry } = dist('index.js');
const { resolvePolicy } = dist('core/policy.js');
const { defaultIsFailureStatus } = dist('config/status-rule.js');
const { createTargetResolver } = dist('transport/target-resolver.js');
const { enableUndiciTransport, disableUndiciTransport, patchUndiciModule } = dist(
  'transport/undici/undici-transport.js',
);
const { registerBreakerMetrics } = dist('telemetry/breaker-metrics.js');

const quick = process.env.BENCH_QUICK === '1';
const CONCURRENCY = 16;
const REQUESTS_PER_ROUND = quick ? 1_000 : 3_000;
const ROUNDS = quick ? 5 : 12;
const REJECTED_SAMPLES = quick ? 5_000 : 20_000;
const RATIO_TARGET = 0.97;
const P99_TARGET_US = 50;

// ---- the server: its own process, so its work does not share our event loop ----
const serverSource = `
const http = require('node:http');
const answer = (req, res) => { res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }); res.end('ok'); };
const a = http.createServer({ keepAliveTimeout: 60_000 }, answer);
const b = http.createServer({ keepAliveTimeout: 60_000 }, answer);
a.listen(0, '127.0.0.1', () => b.listen(0, '127.0.0.1', () =>
  process.stdout.write(JSON.stringify({ listed: a.address().port, unlisted: b.address().port }) + '\\n')));
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();
`;
const child = spawn(process.execPath, ['-e', serverSource], { stdio: ['pipe', 'pipe', 'inherit'] });
const [line] = await once(child.stdout, 'data');
const ports = JSON.parse(String(line));
const listed = `http://127.0.0.1:${ports.listed}`;
const unlisted = `http://127.0.0.1:${ports.unlisted}`;

// ---- the instrumentation, wired as the instrumentation class does ----
const registry = new BreakerRegistry();
const rule = {
  name: `127.0.0.1:${ports.listed}`,
  policy: resolvePolicy({}),
  rejectWith: 'error',
  isFailureStatus: defaultIsFailureStatus,
  quotaOpenSeconds: 3600,
};
const resolve = createTargetResolver([rule], registry);
const meterProvider = new MeterProvider();
registerBreakerMetrics(registry, { meterProvider });
patchUndiciModule(undici);
const breaker = registry.get(rule.name, rule.policy);

const agent = new undici.Agent({ connections: CONCURRENCY, pipelining: 1 });
const clients = {
  fetch: async (origin) => {
    const res = await fetch(`${origin}/`);
    await res.arrayBuffer();
  },
  'undici.request': async (origin) => {
    const res = await undici.request(`${origin}/`, { dispatcher: agent });
    await res.body.arrayBuffer();
  },
};

const cases = [];
for (const [client, call] of Object.entries(clients)) {
  cases.push({ name: `${client} bare`, client, on: false, origin: listed, call });
  cases.push({ name: `${client} instrumented`, client, on: true, origin: listed, call });
  cases.push({ name: `${client} unlisted host`, client, on: true, origin: unlisted, call });
}
const bareUnlisted = (client) => ({
  name: `${client} unlisted bare`,
  client,
  on: false,
  origin: unlisted,
  call: clients[client],
});
for (const client of Object.keys(clients)) cases.push(bareUnlisted(client));

// Each sample is its own client process (bench/lib/instr-client.mjs: warm-up, then a measured run),
// bare or instrumented from the start: patching and unpatching undici's prototypes between rounds in
// one process would deoptimise the code that depends on them and bias whichever side runs next.
const clientScript = new URL('./lib/instr-client.mjs', import.meta.url).pathname;
async function childRps(c) {
  const mode = !c.on ? 'bare' : c.origin === listed ? 'instrumented' : 'unlisted';
  const p = spawn(
    process.execPath,
    [
      clientScript,
      mode,
      c.client,
      c.origin,
      String(REQUESTS_PER_ROUND),
      String(CONCURRENCY),
      'coarse',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  await once(p, 'exit');
  return JSON.parse(out).rps;
}
const samples = Object.fromEntries(cases.map((c) => [c.name, []]));
const byName = Object.fromEntries(cases.map((c) => [c.name, c]));
// Each comparison is measured as a back-to-back pair, in alternating order (A B, then B A), so slow
// drift of a shared, noisy machine hits both sides of a pair alike.
const pairs = Object.keys(clients).flatMap((client) => [
  [`${client} instrumented`, `${client} bare`],
  [`${client} unlisted host`, `${client} unlisted bare`],
]);
for (let r = 0; r < ROUNDS; r++) {
  for (const [a, b] of pairs) {
    for (const name of r % 2 === 0 ? [a, b] : [b, a]) {
      samples[name].push(await childRps(byName[name]));
    }
  }
}
// Paired per-round ratios: steadier than a ratio of medians on a noisy machine.
const ratio = (a, b) => median(samples[a].map((x, i) => x / samples[b][i]));

// ---- rejected fetch while open: p99 of single sequential calls ----
// Interleaved with the floor: the same fetch given a dispatcher that fails every request at once
// (no breaker at all). That is the least any dispatcher-level rejection can cost through Node's
// fetch, and both series see the same machine noise.
enableUndiciTransport(resolve);
breaker.forceOpen();
const floorError = new Error('floor');
const nullDispatcher = {
  dispatch(_opts, handler) {
    queueMicrotask(() => handler.onError(floorError));
    return true;
  },
};
const rejectedNs = [];
const floorNs = [];
const timeFailure = async (call) => {
  const t0 = process.hrtime.bigint();
  try {
    await call();
  } catch {
    // expected: TypeError('fetch failed') caused by CircuitOpenError (or the floor's error)
  }
  return Number(process.hrtime.bigint() - t0);
};
for (let i = 0; i < REJECTED_SAMPLES + 2_000; i++) {
  const ours = await timeFailure(() => fetch(`${listed}/`));
  const floor = await timeFailure(() => fetch(`${unlisted}/`, { dispatcher: nullDispatcher }));
  if (i >= 2_000) {
    rejectedNs.push(ours);
    floorNs.push(floor);
  }
}
const rejectedP50Us = percentile(rejectedNs, 50) / 1000;
const rejectedP99Us = percentile(rejectedNs, 99) / 1000;
const floorP50Us = percentile(floorNs, 50) / 1000;
const floorP99Us = percentile(floorNs, 99) / 1000;
const rejectedCount = breaker.counters.rejected;
breaker.reset();
disableUndiciTransport();

// ---- report ----
const rows = [];
const results = {
  environment: {
    ...environment(),
    undiciBundled: process.versions.undici,
    undiciNpm: require('undici/package.json').version,
  },
  concurrency: CONCURRENCY,
  rounds: ROUNDS,
  requestsPerRound: REQUESTS_PER_ROUND,
  clients: {},
};
for (const client of Object.keys(clients)) {
  const bare = median(samples[`${client} bare`]);
  const on = median(samples[`${client} instrumented`]);
  const unl = median(samples[`${client} unlisted host`]);
  const instrumentedRatio = ratio(`${client} instrumented`, `${client} bare`);
  const unlistedRatio = ratio(`${client} unlisted host`, `${client} unlisted bare`);
  rows.push([
    client,
    fmt(bare, 0),
    fmt(on, 0),
    fmt(instrumentedRatio, 3),
    fmt(unl, 0),
    fmt(unlistedRatio, 3),
  ]);
  results.clients[client] = {
    bareRps: bare,
    instrumentedRps: on,
    instrumentedRatio,
    unlistedRps: unl,
    unlistedRatio,
  };
}
results.rejectedFetch = {
  samples: REJECTED_SAMPLES,
  p50Us: rejectedP50Us,
  p99Us: rejectedP99Us,
  rejected: rejectedCount,
  floorP50Us,
  floorP99Us,
};
console.log(
  `Node ${process.version}, bundled undici ${process.versions.undici}, npm undici ${results.environment.undiciNpm}; concurrency ${CONCURRENCY}, ${ROUNDS} rounds x ${REQUESTS_PER_ROUND} requests`,
);
printTable(
  'Requests/second (median of rounds; ratios = median of paired per-round ratios)',
  ['client', 'bare', 'instrumented', 'ratio', 'unlisted host', 'ratio vs bare'],
  rows,
);
printTable(
  'Failed fetch without a socket (interleaved samples)',
  ['case', 'samples', 'p50 µs', 'p99 µs'],
  [
    ['rejected by open circuit', REJECTED_SAMPLES, fmt(rejectedP50Us, 2), fmt(rejectedP99Us, 2)],
    ['floor: null dispatcher', REJECTED_SAMPLES, fmt(floorP50Us, 2), fmt(floorP99Us, 2)],
  ],
);

const targets = new Targets();
for (const client of Object.keys(clients)) {
  const r = results.clients[client].instrumentedRatio;
  targets.check(`${client} instrumented/bare >= ${RATIO_TARGET}`, r >= RATIO_TARGET, fmt(r, 3));
}
targets.check(
  `rejected fetch p99 < ${P99_TARGET_US} µs`,
  rejectedP99Us < P99_TARGET_US,
  `${fmt(rejectedP99Us, 2)} µs`,
);
targets.check(
  'every rejected fetch was rejected by the breaker',
  rejectedCount === REJECTED_SAMPLES + 2_000,
  String(rejectedCount),
);
results.targets = { passes: targets.passes, failures: targets.failures };
writeResults(new URL('./results/http.json', import.meta.url).pathname, results);
targets.finish();

await agent.close();
await meterProvider.shutdown();
child.stdin.end();

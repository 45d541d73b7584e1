// HTTP transport overhead, `npm run bench:http`. A loopback keep-alive server in its
// own process (bench/lib/canned-http-server.cjs); for the built-in fetch and npm undici.request,
// long-lived client processes (bench/lib/http-client-worker.mjs), one per mode:
//   bare          the library loaded, the hook off
//   instrumented  the hook on, the server's host configured (circuit closed)
//   unlisted      the hook on for another host: the pass-through path (one Map.get)
//   no library    undici alone, reported only (see hook-setup.mjs for why it is not the baseline)
// with several processes per side, and an A/A control: half the bare processes against the other
// half, which shows how far identical sides differ in this run.
// Each process is warmed up until the JIT settles, then every round runs each of them once, in one
// fixed cycle with the sides interleaved, each run after a few untimed requests. Every timed run is
// taken relative to its round's median run; a side's ratio is its median process's trimmed mean of
// those over the bare side's (see the estimator below and docs/design/benchmarks.md).
// Then fresh processes time single fetches rejected by an open circuit, against the floor: the same
// fetch through a dispatcher with no breaker that fails on a later event-loop turn, as a rejection is
// delivered; four processes per side, in interleaved blocks, with an A/A control of four more floor
// processes and, printed only, the fetch failing in a microtask (bench/lib/rejected-fetch.mjs).
// Targets, each judged against this run's own noise or floor, never an absolute figure:
// - instrumented ÷ bare >= 0.97 for each client, missed only when ratio + 2·SE stays below 0.97;
// - rejected fetch: the median over all blocks of its p50 at most 5 µs above the floor's, and of its
//   p99 at most 10 µs above the floor's.
// When other processes than the bench's own took more than half a core over the run, the timed
// targets are printed without a verdict (exit 0).
// BENCH_PARTS=throughput or rejected-fetch: that part only.
// BENCH_QUICK=1: fewer rounds, requests and blocks. Run `npm run build` first: this measures dist/.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  chosenFromEnv,
  fmt,
  interleaved,
  median,
  printTable,
  trimmedMean,
} from './lib/harness.mjs';
import { beginRun } from './lib/run-record.mjs';
import { measureRejectedFetch, reportRejectedFetch } from './lib/rejected-fetch.mjs';
import { bootstrapRatioSe, ratioGate, Targets } from './lib/verdict.mjs';

const require = createRequire(import.meta.url);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** `items` in an order that changes every round (seeded, so a run can be repeated). */
function shuffled(items, round) {
  const out = [...items];
  let seed = 0x9e3779b9 ^ (round + 1);
  for (let i = out.length - 1; i > 0; i--) {
    seed = Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) >>> 0;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
const quick = process.env.BENCH_QUICK === '1';
const CONCURRENCY = 16;
const ROUNDS = quick ? 4 : 16;
const WARMUP_ROUNDS = quick ? 3 : 8;
const REQUESTS_PER_RUN = { fetch: quick ? 2_000 : 5_000, 'undici.request': quick ? 4_000 : 10_000 };
const FAILURES = quick
  ? { warmup: 5_000, blocks: 3, n: 3_000 }
  : { warmup: 20_000, blocks: 7, n: 10_000 };
const PAUSE_MS = 100;
// The throughput processes run with V8's allocation-site pretenuring off. With it on, a process's
// young generation settles, at random, in one of two modes: ~1% or 25-45% of each scavenge
// surviving (bench/lib/hook-setup.mjs). The slow mode costs a process up to 15% of its req/s,
// bare or instrumented alike, so with a handful of processes the ratio measured which processes
// drew it. With it off, every process runs in the fast mode. The rejected-fetch latency below is
// measured with V8's defaults, as users run it.
//
// They also run without V8's memory reducer. Each process waits several seconds for its next turn,
// and the reducer reads that idleness as a chance to shrink the heap; the next run then grows it
// back while it is being timed. We measured one undici.request process pausing 4 s between runs:
// 42k req/s with 14.5% spread between runs with the reducer, 49k and 6.4% without.
const THROUGHPUT_V8_FLAGS = ['--no-allocation-site-pretenuring', '--no-memory-reducer'];
/** Untimed requests before each timed run: a process that waited for its turn starts cold. */
const LEAD_FRACTION = 0.2;
const RATIO_TARGET = 0.97;
const PARTS = chosenFromEnv('BENCH_PARTS', ['throughput', 'rejected-fetch']);

const run = beginRun('http');

const server = spawn(
  process.execPath,
  [fileURLToPath(new URL('./lib/canned-http-server.cjs', import.meta.url))],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const origin = `http://127.0.0.1:${Number(String((await once(server.stdout, 'data'))[0]))}`;

const workerScript = fileURLToPath(new URL('./lib/http-client-worker.mjs', import.meta.url));
function startWorker(mode, client, v8Flags = []) {
  const args = [...v8Flags, workerScript, mode, client, origin, String(CONCURRENCY)];
  const child = spawn(process.execPath, args, {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const replies = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    async send(command) {
      child.stdin.write(`${JSON.stringify(command)}\n`);
      const { value, done } = await replies.next();
      if (done) throw new Error(`${mode} ${client} client exited`);
      return JSON.parse(value);
    },
    async stop() {
      child.stdin.end();
      await once(child, 'exit');
    },
  };
}

// Several processes per side: two identical processes can differ by a few percent for their whole
// life (each one's JIT settles its own way), so every side is spread over several of them.
const SIDES = [
  { side: 'bare', mode: 'bare', processes: 8 },
  { side: 'instrumented', mode: 'instrumented', processes: 8 },
  { side: 'unlisted', mode: 'unlisted', processes: 2 },
  { side: 'no library', mode: 'no-library', processes: 1 },
];
const versions = {
  undiciBundled: process.versions.undici,
  undiciNpm: require('undici/package.json').version,
};
const results = {
  concurrency: CONCURRENCY,
  throughputV8Flags: THROUGHPUT_V8_FLAGS,
  rounds: ROUNDS,
  warmupRounds: WARMUP_ROUNDS,
  requestsPerRun: REQUESTS_PER_RUN,
  clients: {},
};

for (const client of PARTS.includes('throughput') ? Object.keys(REQUESTS_PER_RUN) : []) {
  const n = REQUESTS_PER_RUN[client];
  const workers = SIDES.flatMap(({ side, mode, processes }) =>
    Array.from({ length: processes }, (_, index) => ({
      side,
      index,
      worker: startWorker(mode, client, THROUGHPUT_V8_FLAGS),
    })),
  );
  // Every process finishes starting before any warms up, and warm-ups take turns: a warm-up that
  // shares the machine with processes still loading, or with a cold server, settles its JIT
  // differently (we saw about 5% for good).
  for (const { worker } of workers) await worker.send({ op: 'ping' });
  for (let i = 0; i < WARMUP_ROUNDS; i++) {
    for (const { worker } of shuffled(workers, -1 - i)) await worker.send({ op: 'run', n });
  }
  // samples[side][round][process index]
  const samples = Object.fromEntries(
    SIDES.map(({ side, processes }) => [
      side,
      Array.from({ length: ROUNDS }, () => new Array(processes)),
    ]),
  );
  // Measured rounds go through one fixed cycle, the sides interleaved, so every process waits the
  // same number of turns between its runs. With an order shuffled per round the wait varied
  // from one turn to two rounds, and a process's speed depends on how long it sat idle.
  const cycle = interleaved(workers);
  for (let r = 0; r < ROUNDS; r++) {
    for (const { side, index, worker } of cycle) {
      // A pause first: a process that just stopped may still run GC or JIT work in the background,
      // which would steal a core from whichever process runs next.
      await sleep(PAUSE_MS);
      samples[side][r][index] = await worker.send({ op: 'run', n, lead: n * LEAD_FRACTION });
    }
  }
  // One run of 5,000 fetches varies by 2-19% from the next in the same process, depending on how
  // busy the machine is (the scavenges it happens to contain, the machine's other tenants), and
  // the machine's speed drifts over seconds.
  // Each run is therefore taken relative to its round (the median of every process's run in that
  // round, all sides together). A process's level is the 10%-trimmed mean of its relative runs,
  // and a side's figure is the median of its processes' levels: now and then a process runs
  // 5-11% slow for its whole life, whatever side it is on, and one or two such processes must not
  // move a side. (A median of per-round medians, the earlier estimator, wasted most of the data:
  // A/A controls of 0.97-1.04.) docs/design/benchmarks.md has the comparison.
  const roundMedian = samples.bare.map((_, r) =>
    median(SIDES.flatMap(({ side }) => samples[side][r].map((s) => s.rps))),
  );
  const levels = Object.fromEntries(
    SIDES.map(({ side, processes }) => [
      side,
      Array.from({ length: processes }, (_, i) =>
        trimmedMean(samples[side].map((round, r) => round[i].rps / roundMedian[r])),
      ),
    ]),
  );
  const sideLevel = (side, keep = () => true) => median(levels[side].filter((_, i) => keep(i)));
  const ratioToBare = (side) => sideLevel(side) / sideLevel('bare');
  // A/A control: half of the bare processes against the other half, the same way.
  const aaRatio = sideLevel('bare', (i) => i % 2 === 0) / sideLevel('bare', (i) => i % 2 === 1);
  const summary = ({ side, processes }) => ({
    processes,
    perProcessLevel: levels[side],
    perProcessRps: Array.from({ length: processes }, (_, i) =>
      median(samples[side].map((round) => round[i].rps)),
    ),
    rps: median(samples[side].flat().map((s) => s.rps)),
    cpuUsPerRequest: median(samples[side].flat().map((s) => s.cpuUsPerRequest)),
    gcUsPerRequest: median(samples[side].flat().map((s) => s.gcUsPerRequest)),
    ratioToBare: side === 'bare' ? undefined : ratioToBare(side),
    // How far the ratio could move with other draws of processes: the noise the gate sits in.
    // (Not for a one-process side: redrawing one process cannot show how far processes differ.)
    ratioStandardError:
      side === 'bare' || processes < 2
        ? undefined
        : bootstrapRatioSe(levels[side], levels.bare, median),
  });
  results.clients[client] = {
    ...Object.fromEntries(SIDES.map((s) => [s.side, summary(s)])),
    aaControlRatio: aaRatio,
    roundMedianRps: roundMedian,
    samples,
  };
  for (const { worker } of workers) await worker.stop();
}

// Failed fetches without a socket: rejected by the breaker, and the floor (see rejected-fetch.mjs).
if (PARTS.includes('rejected-fetch')) {
  results.rejectedFetch = await measureRejectedFetch(
    (mode) => startWorker(mode, 'fetch'),
    FAILURES,
  );
}
server.stdin.end();

// ---- report ----
console.log(
  `\nNode ${process.version}, bundled undici ${versions.undiciBundled}, npm undici ${versions.undiciNpm}; ` +
    `concurrency ${CONCURRENCY}; ${WARMUP_ROUNDS} warm-up and ${ROUNDS} measured runs per process ` +
    `(node ${THROUGHPUT_V8_FLAGS.join(' ')}) ` +
    `(${REQUESTS_PER_RUN.fetch} fetch / ${REQUESTS_PER_RUN['undici.request']} undici.request requests each)`,
);
const sideRows = [];
for (const [client, sides] of Object.entries(results.clients)) {
  for (const { side } of SIDES) {
    const s = sides[side];
    sideRows.push([
      client,
      `${side} (×${s.processes})`,
      fmt(s.rps, 0),
      s.ratioToBare === undefined ? '—' : fmt(s.ratioToBare, 3),
      s.ratioStandardError === undefined ? '' : `${fmt(s.ratioStandardError * 100, 1)}%`,
      fmt(s.cpuUsPerRequest, 2),
      fmt(s.gcUsPerRequest, 2),
    ]);
  }
  sideRows.push([
    client,
    'A/A control (bare ÷ bare)',
    '',
    fmt(sides.aaControlRatio, 3),
    '',
    '',
    '',
  ]);
}
if (sideRows.length > 0)
  printTable(
    'Requests/second: the median run of a side’s processes. Ratio: each run relative to its ' +
      'round’s median run (all sides); per process the 10%-trimmed mean; per side the median ' +
      "process; ÷ bare. SE: the ratio's standard error, bootstrapped over processes",
    ['client', 'processes', 'req/s', 'ratio', 'SE', 'CPU µs/req', 'GC µs/req'],
    sideRows,
  );

const targets = new Targets();
for (const [client, sides] of Object.entries(results.clients)) {
  const { ratioToBare: ratio, ratioStandardError: se } = sides.instrumented;
  const gate = ratioGate({ ratio, se, target: RATIO_TARGET });
  targets.gate(`${client} instrumented/bare`, {
    ok: gate.ok,
    detail: `${gate.detail}; A/A control ${fmt(sides.aaControlRatio, 3)}`,
  });
}
if (results.rejectedFetch) reportRejectedFetch(results.rejectedFetch, targets);
run.finish(targets, { versions, ...results });

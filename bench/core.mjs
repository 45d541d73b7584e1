// npm run bench: the breaker core against bare calls, opossum and cockatiel, in one process and run.
// Targets (docs/design/benchmarks.md): closed-state overhead of execute() ≤ opossum(defaults)/10
// and ≤ cockatiel ConsecutiveBreaker/2; under 2 KB of heap per breaker. The overhead targets are
// timings: when other processes took more than half a core over the run they are printed without a
// verdict. The heap figure is a count and always gets one. BENCH_QUICK=1: fewer calls and rounds.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import OpossumBreaker from 'opossum';
import { ConsecutiveBreaker, SamplingBreaker, circuitBreaker, handleAll } from 'cockatiel';
import { BreakerRegistry, CircuitBreaker } from '../dist/esm/index.mjs';
import { compareCases, fmt, percentile, printTable } from './lib/harness.mjs';
import { beginRun } from './lib/run-record.mjs';
import { Targets } from './lib/verdict.mjs';

const require = createRequire(import.meta.url);
const quick = process.env.BENCH_QUICK === '1';
const CALLS = quick ? 200_000 : 1_000_000;
const ROUNDS = quick ? 3 : 5;

if (typeof globalThis.gc !== 'function') {
  // Heap figures need explicit GC: re-run this script with --expose-gc.
  const { spawnSync } = await import('node:child_process');
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url)], {
    stdio: 'inherit',
  });
  process.exit(r.status ?? 1);
}

const run = beginRun('core');
const fn = async () => 1;

// ---- closed-state overhead ----------------------------------------------------------------
const ours = new CircuitBreaker({ name: 'bench' }); // default policy: consecutive + rate + slow rules on
const oursConsecutiveOnly = new CircuitBreaker({
  name: 'bench-consecutive',
  policy: { ...ours.policy, failureRateThreshold: 0, slowCallRateThreshold: 0 },
});
const opossumDefault = new OpossumBreaker(fn);
const opossumNoTimeout = new OpossumBreaker(fn, { timeout: false });
const cockatielConsecutive = circuitBreaker(handleAll, {
  halfOpenAfter: 10_000,
  breaker: new ConsecutiveBreaker(5),
});
const cockatielSampling = circuitBreaker(handleAll, {
  halfOpenAfter: 10_000,
  breaker: new SamplingBreaker({ threshold: 0.5, duration: 60_000, minimumRps: 1 }),
});

const cases = [
  { name: 'bare call', run: () => fn() },
  { name: 'ours execute()', run: () => ours.execute(fn) },
  { name: 'ours execute() consecutive only', run: () => oursConsecutiveOnly.execute(fn) },
  {
    name: 'ours canRequest()+record',
    run: async () => {
      const permit = ours.canRequest();
      const r = await fn();
      permit.recordSuccess(0);
      return r;
    },
  },
  { name: 'cockatiel ConsecutiveBreaker', run: () => cockatielConsecutive.execute(fn) },
  { name: 'cockatiel SamplingBreaker', run: () => cockatielSampling.execute(fn) },
  { name: 'opossum timeout:false', run: () => opossumNoTimeout.fire() },
  { name: 'opossum defaults', run: () => opossumDefault.fire() },
];
const { medians: closed, samples: closedSamples } = await compareCases(cases, {
  calls: CALLS,
  rounds: ROUNDS,
  warmup: CALLS / 4,
});
const bare = closed['bare call'];
const overhead = Object.fromEntries(Object.entries(closed).map(([k, v]) => [k, v - bare]));
const oursOverhead = Math.max(overhead['ours execute()'], 0.1);

printTable(
  `Closed state: ns per call (median of ${ROUNDS} rounds × ${CALLS.toLocaleString()} sequential awaits)`,
  ['case', 'total ns', 'overhead ns', 'overhead ÷ ours'],
  Object.keys(closed).map((k) => [
    k,
    fmt(closed[k]),
    k === 'bare call' ? '—' : fmt(overhead[k]),
    k === 'bare call' ? '—' : `${fmt(overhead[k] / oursOverhead)}×`,
  ]),
);

// ---- open-state rejection -----------------------------------------------------------------
const open = new CircuitBreaker({ name: 'bench-open' });
open.forceOpen();
const noop = () => {};
const rejectOnce = () => open.execute(fn).catch(noop);
const perBatch = [];
const BATCH = 100;
for (let i = 0; i < 200; i++) await rejectOnce(); // warm-up
for (let b = 0; b < (quick ? 500 : 2000); b++) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < BATCH; i++) await rejectOnce();
  perBatch.push(Number(process.hrtime.bigint() - t0) / BATCH);
}
const rejectMedian = percentile(perBatch, 50);
const rejectP99 = percentile(perBatch, 99);
// Cost of the error object itself: ours (no stack capture) vs a plain Error.
const errN = 200_000;
let t0 = process.hrtime.bigint();
for (let i = 0; i < errN; i++) open.rejectionError();
const oursErrorNs = Number(process.hrtime.bigint() - t0) / errN;
t0 = process.hrtime.bigint();
for (let i = 0; i < errN; i++) new Error('circuit breaker "bench-open" is open');
const plainErrorNs = Number(process.hrtime.bigint() - t0) / errN;
printTable(
  'Open state: rejection',
  ['what', 'ns'],
  [
    ['execute() rejected, median of 100-call batches', fmt(rejectMedian)],
    ['execute() rejected, p99 of 100-call batches', fmt(rejectP99)],
    ['CircuitOpenError creation', fmt(oursErrorNs)],
    ['plain new Error() for comparison', fmt(plainErrorNs)],
  ],
);

// ---- memory per breaker ---------------------------------------------------------------------
const BREAKERS = 10_000;
function heapPerItem(make) {
  globalThis.gc();
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  const keep = make();
  globalThis.gc();
  globalThis.gc();
  const after = process.memoryUsage().heapUsed;
  if (keep.length !== BREAKERS) throw new Error('lost items');
  return (after - before) / BREAKERS;
}
const memOurs = heapPerItem(() => {
  const registry = new BreakerRegistry({ maxBreakers: BREAKERS });
  const out = [];
  for (let i = 0; i < BREAKERS; i++) out.push(registry.get(`host-${i}.example.com`));
  return out;
});
const memOpossum = heapPerItem(() => {
  const out = [];
  for (let i = 0; i < BREAKERS; i++) out.push(new OpossumBreaker(fn, { name: `host-${i}` }));
  for (const b of out) b.shutdown(); // opossum starts a stats timer per breaker; stop it after measuring
  return out;
});
const memCockatiel = heapPerItem(() => {
  const out = [];
  for (let i = 0; i < BREAKERS; i++) {
    out.push(
      circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) }),
    );
  }
  return out;
});
printTable(
  `Memory: heap bytes per breaker (${BREAKERS.toLocaleString()} breakers)`,
  ['library', 'bytes/breaker', `MB for ${BREAKERS.toLocaleString()}`],
  [
    ['ours (registry)', fmt(memOurs, 0), fmt((memOurs * BREAKERS) / 1e6, 2)],
    ['opossum', fmt(memOpossum, 0), fmt((memOpossum * BREAKERS) / 1e6, 2)],
    ['cockatiel', fmt(memCockatiel, 0), fmt((memCockatiel * BREAKERS) / 1e6, 2)],
  ],
);

// ---- targets ---------------------------------------------------------------------------------
const targets = new Targets();
const vsOpossum = overhead['opossum defaults'] / oursOverhead;
const vsCockatiel = overhead['cockatiel ConsecutiveBreaker'] / oursOverhead;
targets.check(
  'overhead vs opossum defaults',
  vsOpossum >= 10,
  `${fmt(vsOpossum)}× smaller (target ≥ 10×)`,
);
targets.check(
  'overhead vs cockatiel Consecutive',
  vsCockatiel >= 2,
  `${fmt(vsCockatiel)}× smaller (target ≥ 2×)`,
);
targets.check('heap per breaker', memOurs < 2048, `${fmt(memOurs, 0)} B (target < 2048 B)`, {
  loadIndependent: true,
});

run.finish(targets, {
  versions: {
    opossum: require('opossum/package.json').version,
    cockatiel: require('cockatiel/package.json').version,
  },
  calls: CALLS,
  rounds: ROUNDS,
  closed: {
    totalNs: closed,
    overheadNs: overhead,
    ratios: { vsOpossum, vsCockatiel },
    samplesNs: closedSamples,
  },
  open: {
    rejectMedianNs: rejectMedian,
    rejectP99Ns: rejectP99,
    errorCreationNs: oursErrorNs,
    plainErrorNs,
    perBatchNs: perBatch,
  },
  memory: { bytesPerBreaker: { ours: memOurs, opossum: memOpossum, cockatiel: memCockatiel } },
});

// The rejected-fetch part of bench:http: how long a fetch takes to fail when an open circuit rejects
// it, against the floor: the same fetch failing through a plain dispatcher with no breaker that
// delivers its failure on a later event-loop turn, as the breaker does by design (a retry loop
// without a delay must not starve the app: src/core/later-turn.ts). A third side, the same floor in
// other processes, is the A/A control: how far two identical sides land apart in this run. A fourth,
// printed only, fails in a microtask: what the later turn itself costs a fetch.
//
// One kind of failing fetch per process (mixing two makes fetch's code polymorphic and slows both),
// every process of the same kind and started the same way, with V8's defaults as users run it.
// Several processes per side: a process's latencies settle in one of two levels for its whole life
// (we saw the later-turn floor's p50 move between 16 and 34 µs from one process to the next on a
// quiet machine), so one process per side measures which level each side drew. The processes take
// turns block by block, sides interleaved, the order reversed every other block, so every side sees
// the same stretches of machine noise. A side's figure is the median over all its blocks.
import { fmt, interleaved, median, printTable } from './harness.mjs';
import { excessGate } from './verdict.mjs';

/** How far the breaker's median p50 / p99 may sit above the (later-turn) floor's. */
const P50_BUDGET_US = 5;
const P99_BUDGET_US = 10;

/** `via` is the worker's kind of failing fetch (bench/lib/http-client-worker.mjs). */
const SIDES = [
  { side: 'breaker', via: 'breaker', mode: 'instrumented', processes: 4 },
  { side: 'floor', via: 'later-turn-dispatcher', mode: 'bare', processes: 4 },
  { side: 'floor again (A/A)', via: 'later-turn-dispatcher', mode: 'bare', processes: 4 },
  { side: 'microtask floor', via: 'null-dispatcher', mode: 'bare', processes: 2 },
];

/**
 * `startWorker(mode)` starts a fetch client process (bench/lib/http-client-worker.mjs) in `mode`.
 * Returns every block of every process per side, each side's medians, and the breaker's rejections.
 */
export async function measureRejectedFetch(startWorker, { warmup, blocks, n }) {
  // One process starts at a time: fourteen loading at once put the load average above the cores
  // at the end of the run, and the bench then withheld its own verdict.
  const workers = [];
  for (const { side, via, mode, processes } of SIDES) {
    for (let index = 0; index < processes; index++) {
      const worker = startWorker(mode);
      await worker.send({ op: 'ping' });
      workers.push({ side, via, index, worker });
    }
  }
  for (const { via, worker } of workers) await worker.send({ op: 'fail', via, n: warmup });
  const cycle = interleaved(workers);
  // measured[side][process][block]
  const measured = Object.fromEntries(
    SIDES.map(({ side, processes }) => [side, Array.from({ length: processes }, () => [])]),
  );
  for (let b = 0; b < blocks; b++) {
    const order = b % 2 === 0 ? cycle : [...cycle].reverse();
    for (const { side, via, index, worker } of order) {
      measured[side][index].push(await worker.send({ op: 'fail', via, n }));
    }
  }
  for (const { worker } of workers) await worker.stop();
  const sides = Object.fromEntries(
    SIDES.map(({ side }) => {
      const all = measured[side].flat();
      const perProcess = (key) => measured[side].map((bs) => median(bs.map((b) => b[key])));
      return [
        side,
        {
          p50Us: median(all.map((b) => b.p50Us)),
          p99Us: median(all.map((b) => b.p99Us)),
          perProcessP50Us: perProcess('p50Us'),
          perProcessP99Us: perProcess('p99Us'),
          gcPausesPer10k: median(all.map((b) => b.gcPausesPer10k)),
          blocks: measured[side],
        },
      ];
    }),
  );
  const breakerBlocks = measured.breaker.flat();
  return {
    warmup,
    n,
    blocks,
    sides,
    rejected: breakerBlocks.reduce((sum, b) => sum + b.rejectedInBlock, 0),
    expectedRejections: breakerBlocks.length * n,
  };
}

const signed = (x) => `${x >= 0 ? '+' : ''}${fmt(x, 2)}`;

/** Prints the sides and adds the two latency targets and the rejection count to `targets`. */
export function reportRejectedFetch(rf, targets) {
  const floor = rf.sides.floor;
  printTable(
    `Fetch failing without a socket: ${rf.blocks} blocks of ${rf.n} sequential calls per process, after ${rf.warmup} warm-up calls; ` +
      'per side the median over all its blocks; per process the median of its blocks',
    [
      'side',
      'p50 µs',
      'p99 µs',
      'above floor: p50 µs',
      'p99 µs',
      'per process: p50 µs',
      'p99 µs',
      'GC pauses per 10k calls',
    ],
    SIDES.map(({ side, processes }) => {
      const s = rf.sides[side];
      return [
        `${side} (×${processes})`,
        fmt(s.p50Us, 2),
        fmt(s.p99Us, 2),
        side === 'floor' ? '—' : signed(s.p50Us - floor.p50Us),
        side === 'floor' ? '—' : signed(s.p99Us - floor.p99Us),
        s.perProcessP50Us.map((x) => fmt(x, 1)).join(' '),
        s.perProcessP99Us.map((x) => fmt(x, 1)).join(' '),
        fmt(s.gcPausesPer10k, 1),
      ];
    }),
  );
  const aa = rf.sides['floor again (A/A)'];
  console.log(
    `A/A control (floor again − floor): p50 ${signed(aa.p50Us - floor.p50Us)} µs, p99 ${signed(aa.p99Us - floor.p99Us)} µs: this run's noise. ` +
      `The later turn itself (floor − microtask floor): p50 ${signed(floor.p50Us - rf.sides['microtask floor'].p50Us)} µs, p99 ${signed(floor.p99Us - rf.sides['microtask floor'].p99Us)} µs`,
  );
  const breaker = rf.sides.breaker;
  targets.gate(
    `rejected fetch p50 (median of the blocks) at most ${P50_BUDGET_US} µs above the floor`,
    excessGate({ measured: breaker.p50Us, floor: floor.p50Us, budget: P50_BUDGET_US, unit: 'µs' }),
  );
  targets.gate(
    `rejected fetch p99 (median of the blocks) at most ${P99_BUDGET_US} µs above the floor`,
    excessGate({ measured: breaker.p99Us, floor: floor.p99Us, budget: P99_BUDGET_US, unit: 'µs' }),
  );
  targets.check(
    'every timed fetch of the breaker side was rejected by the breaker',
    rf.rejected === rf.expectedRejections,
    `${rf.rejected} of ${rf.expectedRejections}`,
    { loadIndependent: true },
  );
}

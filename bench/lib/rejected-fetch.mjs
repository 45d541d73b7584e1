// The rejected-fetch part of bench:http: how long a fetch takes to fail when an open circuit rejects
// it, against the floor, the same fetch failing through a dispatcher with no breaker at all. Each
// kind runs in its own fresh client process, both of the same kind and started the same way (one kind
// of failing fetch per process: mixing two makes fetch's code polymorphic and slows both), with V8's
// defaults as users run it. They take turns block by block, each going first in every other block,
// so both see the same stretches of machine noise.
import { fmt, median, printTable } from './harness.mjs';
import { excessGate } from './verdict.mjs';

/**
 * How far the median over blocks may sit above the floor's. The rejection is delivered on a later
 * event-loop turn than the call, which costs about 1-3 µs of the p50 budget.
 */
const P50_BUDGET_US = 5;
const P99_BUDGET_US = 10;

/**
 * `startWorker(mode)` starts a fetch client process (bench/lib/http-client-worker.mjs) in `mode`.
 * Returns every block's percentiles for both kinds, their medians and the breaker's rejections.
 */
export async function measureRejectedFetch(startWorker, { warmup, blocks, n }) {
  const failing = {
    breaker: startWorker('instrumented'),
    'null-dispatcher': startWorker('bare'),
    // Printed, not gated: the floor failing on a later turn, as the breaker's rejection does.
    'later-turn-dispatcher': startWorker('bare'),
  };
  for (const [via, worker] of Object.entries(failing))
    await worker.send({ op: 'fail', via, n: warmup });
  const measured = { breaker: [], 'null-dispatcher': [], 'later-turn-dispatcher': [] };
  for (let b = 0; b < blocks; b++) {
    const order = Object.entries(failing);
    if (b % 2 === 1) order.reverse();
    for (const [via, worker] of order) {
      measured[via].push(await worker.send({ op: 'fail', via, n }));
    }
  }
  for (const worker of Object.values(failing)) await worker.stop();
  const blockMedian = (via, key) => median(measured[via].map((block) => block[key]));
  return {
    warmup,
    n,
    blocks: measured.breaker,
    floorBlocks: measured['null-dispatcher'],
    p50Us: blockMedian('breaker', 'p50Us'),
    p99Us: blockMedian('breaker', 'p99Us'),
    floorP50Us: blockMedian('null-dispatcher', 'p50Us'),
    floorP99Us: blockMedian('null-dispatcher', 'p99Us'),
    laterTurnBlocks: measured['later-turn-dispatcher'],
    laterTurnP50Us: blockMedian('later-turn-dispatcher', 'p50Us'),
    laterTurnP99Us: blockMedian('later-turn-dispatcher', 'p99Us'),
    rejected: measured.breaker.at(-1).rejected,
    expectedRejections: warmup + blocks * n,
  };
}

/** Prints the blocks and adds the two latency targets and the rejection count to `targets`. */
export function reportRejectedFetch(rf, targets) {
  printTable(
    `Fetch failing without a socket: ${rf.blocks.length} blocks of ${rf.n} sequential calls per process, after ${rf.warmup} warm-up calls`,
    [
      'block',
      'rejected by open circuit: p50 µs',
      'p99 µs',
      'floor (null dispatcher): p50 µs',
      'p99 µs',
      'above floor: p50 µs',
      'p99 µs',
      'floor failing on a later turn: p50 µs',
      'p99 µs',
    ],
    rf.blocks.map((b, i) => {
      const floor = rf.floorBlocks[i];
      return [
        i + 1,
        fmt(b.p50Us, 2),
        fmt(b.p99Us, 2),
        fmt(floor.p50Us, 2),
        fmt(floor.p99Us, 2),
        fmt(b.p50Us - floor.p50Us, 2),
        fmt(b.p99Us - floor.p99Us, 2),
        fmt(rf.laterTurnBlocks[i].p50Us, 2),
        fmt(rf.laterTurnBlocks[i].p99Us, 2),
      ];
    }),
  );
  // Printed, not gated: how much of the excess the later event-loop turn itself costs a fetch that
  // fails without any breaker, and what is left for the breaker's own work.
  const above = (a, b) => `${a - b >= 0 ? '+' : ''}${fmt(a - b, 2)} µs`;
  console.log(
    `The later turn alone (later-turn floor − floor, medians of the blocks): p50 ${above(rf.laterTurnP50Us, rf.floorP50Us)}, p99 ${above(rf.laterTurnP99Us, rf.floorP99Us)}; ` +
      `the breaker above the later-turn floor: p50 ${above(rf.p50Us, rf.laterTurnP50Us)}, p99 ${above(rf.p99Us, rf.laterTurnP99Us)}`,
  );
  targets.gate(
    `rejected fetch p50 (median of the blocks) at most ${P50_BUDGET_US} µs above the floor`,
    excessGate({ measured: rf.p50Us, floor: rf.floorP50Us, budget: P50_BUDGET_US, unit: 'µs' }),
  );
  targets.gate(
    `rejected fetch p99 (median of the blocks) at most ${P99_BUDGET_US} µs above the floor`,
    excessGate({ measured: rf.p99Us, floor: rf.floorP99Us, budget: P99_BUDGET_US, unit: 'µs' }),
  );
  targets.check(
    'every rejected fetch was rejected by the breaker',
    rf.rejected === rf.expectedRejections,
    `${rf.rejected} of ${rf.expectedRejections}`,
    { loadIndependent: true },
  );
}

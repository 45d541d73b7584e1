// How every bench turns its measurements into a verdict, so that noise cannot pass for a regression:
// - a wall-clock ratio misses its target only when ratio + 2·SE is still below it, the SE being
//   bootstrapped from the run's own samples (one timed run here differs from the next by 2-19%);
// - a latency is judged by how far it sits above a floor measured in the same run, never by an
//   absolute figure (the floor itself moves by 2× between machines);
// - a timed target gives no verdict at all when other processes than the bench's own took more than
//   half a core over the run; counts (instructions, bytes, how many calls were rejected) do not move
//   with load and always give one.
import { fmt } from './harness.mjs';

/** Seeded, so a standard error can be recomputed exactly from a run's saved samples. */
function seededRandom() {
  let seed = 0x2545f491;
  return () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

const redraw = (xs, random) => xs.map(() => xs[Math.floor(random() * xs.length)]);

function standardDeviation(xs) {
  const mean = xs.reduce((sum, x) => sum + x, 0) / xs.length;
  return Math.sqrt(xs.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (xs.length - 1));
}

/**
 * Standard error of `stat(xs)`, bootstrapped: `xs` redrawn with replacement `draws` times. For
 * paired samples, such as one ratio per round of alternating cases.
 */
export function bootstrapSe(xs, stat, draws = 4000) {
  const random = seededRandom();
  return standardDeviation(Array.from({ length: draws }, () => stat(redraw(xs, random))));
}

/**
 * Standard error of `stat(a) / stat(b)`, bootstrapped: both samples redrawn with replacement
 * `draws` times. For two independent sets, such as the levels of separate processes.
 */
export function bootstrapRatioSe(a, b, stat, draws = 4000) {
  const random = seededRandom();
  return standardDeviation(
    Array.from({ length: draws }, () => stat(redraw(a, random)) / stat(redraw(b, random))),
  );
}

/** A ratio (ours ÷ baseline, higher is better) misses `target` only if ratio + 2·SE does too. */
export function ratioGate({ ratio, se, target }) {
  const upper = ratio + 2 * se;
  return {
    ok: Number.isFinite(upper) && upper >= target,
    detail: `${fmt(ratio, 3)}, SE ${fmt(se, 3)}: ratio + 2·SE = ${fmt(upper, 3)} (target ≥ ${target})`,
  };
}

/** A latency may sit at most `budget` above the floor measured beside it in the same run. */
export function excessGate({ measured, floor, budget, unit }) {
  const excess = measured - floor;
  return {
    ok: Number.isFinite(excess) && excess <= budget,
    detail:
      `${fmt(measured, 2)} ${unit}, floor ${fmt(floor, 2)} ${unit}: ` +
      `${fmt(excess, 2)} ${unit} above (budget ≤ ${budget} ${unit})`,
  };
}

/**
 * Most CPU that processes other than the bench's own may use, in cores averaged over the run, for a
 * timed verdict. One process spinning beside the bench (`yes > /dev/null`) takes up to a whole
 * core, twice this; the bench's own processes, however many, are not counted, so with nothing else
 * running only the system's own daemons are. Half a core is also less than the load rule it
 * replaces allowed a one-process bench (a whole core).
 */
export const OTHER_CPU_LIMIT_CORES = 0.5;

/**
 * CPU used by processes other than the bench's own during a run, from the machine's busy and total
 * clock ticks and the bench tree's own ticks over the same run (see other-cpu.mjs). `share` is of
 * the machine's capacity (every core for the whole run), `cores` the same in cores on average.
 */
export function otherCpu({ machineBusy, machineTotal, own, cores }) {
  // Own and machine ticks are counted separately by the kernel: own may exceed busy by a tick or two.
  const other = Math.max(0, machineBusy - own);
  const share = machineTotal > 0 ? other / machineTotal : 0;
  const ownShare = machineTotal > 0 ? own / machineTotal : 0;
  return { share, cores: share * cores, ownCores: ownShare * cores };
}

/**
 * Whether the machine was too busy for a timed verdict: processes other than the bench's own used
 * more than OTHER_CPU_LIMIT_CORES on average over the run, time the timings then lost to them.
 * Without /proc (`cpu` undefined) the older rule decides: the 1-minute load average before or after
 * the run above the number of cores, which also counts the bench's own processes.
 */
export function busyVerdict({ loadBefore, loadAfter, cores, cpu }) {
  const load = Math.max(loadBefore, loadAfter);
  if (cpu === undefined) {
    const busy = load > cores;
    const reason = `load ${fmt(load, 2)} above ${cores} cores, judged by load average: no /proc`;
    return {
      busy,
      rule: 'load average',
      load,
      cores,
      reason: busy ? reason : undefined,
      message: busy ? `machine too busy for a verdict (${reason})` : undefined,
    };
  }
  const other = otherCpu({ ...cpu, cores });
  const busy = other.cores > OTHER_CPU_LIMIT_CORES;
  const reason =
    `other processes used ${fmt(other.cores, 2)} of ${cores} cores, ` +
    `above ${OTHER_CPU_LIMIT_CORES}`;
  return {
    busy,
    rule: 'other processes CPU',
    load,
    cores,
    otherCpu: other,
    reason: busy ? reason : undefined,
    message: busy ? `machine too busy for a verdict (${reason})` : undefined,
  };
}

/** The line every bench prints about the CPU other processes used during its run. */
export function describeOtherCpu({ rule, otherCpu: other, cores }) {
  if (other === undefined) return `other processes' CPU: not measured (no /proc), ${rule} decides`;
  return (
    `other processes' CPU: ${fmt(other.cores, 2)} of ${cores} cores ` +
    `(${fmt(other.share * 100, 1)}% of the machine; limit ${OTHER_CPU_LIMIT_CORES}), ` +
    `the bench's own: ${fmt(other.ownCores, 2)}`
  );
}

/** The targets of one bench run; `decide` turns them into lines and an exit code. */
export class Targets {
  checks = [];
  /** `loadIndependent`: a count, not a timing; it keeps its verdict on a busy machine. */
  check(label, ok, detail, { loadIndependent = false } = {}) {
    this.checks.push({ label, ok, detail, loadIndependent });
  }
  gate(label, { ok, detail }, options) {
    this.check(label, ok, detail, options);
  }
}

/**
 * The verdict: PASS/FAIL per target, except that on a busy machine timed targets are listed with
 * their figures but no verdict, and only a failed count can fail the run. (A bench of counts only,
 * such as instructions under callgrind, always gets its verdict.)
 */
export function decide(checks, { busy, message, reason }) {
  const lines = ['', 'Targets'];
  let failed = false;
  let withheld = 0;
  for (const c of checks) {
    if (busy && !c.loadIndependent) {
      withheld++;
      lines.push(`  no verdict  ${c.label}: ${c.detail}`);
      continue;
    }
    failed ||= !c.ok;
    lines.push(`  ${c.ok ? 'PASS' : 'FAIL'} ${c.label}: ${c.detail}`);
  }
  if (withheld > 0) lines.push(message);
  else if (busy) lines.push(`${reason}: counts, verdict given`);
  return {
    lines,
    exitCode: failed ? 1 : 0,
    verdict: failed ? 'fail' : withheld > 0 ? 'too busy' : 'pass',
  };
}

// How every bench turns its measurements into a verdict, so that noise cannot pass for a regression:
// - a wall-clock ratio misses its target only when ratio + 2·SE is still below it, the SE being
//   bootstrapped from the run's own samples (one timed run here differs from the next by 2-19%);
// - a latency is judged by how far it sits above a floor measured in the same run, never by an
//   absolute figure (the floor itself moves by 2× between machines);
// - a timed target gives no verdict at all when the machine was busier than its cores; counts
//   (instructions, bytes, how many calls were rejected) do not move with load and always give one.
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
 * Whether the machine was too busy for a timed verdict: the 1-minute load average before or after
 * the run above the number of cores, i.e. work waiting for a core that the timings then include.
 */
export function busyVerdict({ loadBefore, loadAfter, cores }) {
  const load = Math.max(loadBefore, loadAfter);
  const busy = load > cores;
  return {
    busy,
    load,
    cores,
    message: busy
      ? `machine too busy for a verdict (load ${fmt(load, 2)} above ${cores} cores)`
      : undefined,
  };
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
export function decide(checks, { busy, message, load, cores }) {
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
  else if (busy) lines.push(`load ${fmt(load, 2)} above ${cores} cores: counts, verdict given`);
  return {
    lines,
    exitCode: failed ? 1 : 0,
    verdict: failed ? 'fail' : withheld > 0 ? 'too busy' : 'pass',
  };
}

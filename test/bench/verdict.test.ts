import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM helper without types
import * as verdict from '../../bench/lib/verdict.mjs';
// @ts-expect-error plain ESM helper without types
import { median } from '../../bench/lib/harness.mjs';

type Check = { label: string; ok: boolean; detail: string; loadIndependent: boolean };
type Gate = { ok: boolean; detail: string };
type CpuTicks = { machineBusy: number; machineTotal: number; own: number };
type OtherCpu = { share: number; cores: number; ownCores: number };
type Busy = {
  busy: boolean;
  rule: string;
  load: number;
  cores: number;
  otherCpu?: OtherCpu;
  reason: string | undefined;
  message: string | undefined;
};
const {
  bootstrapSe,
  bootstrapRatioSe,
  ratioGate,
  excessGate,
  otherCpu,
  busyVerdict,
  describeOtherCpu,
  OTHER_CPU_LIMIT_CORES,
  decide,
  Targets,
} = verdict as {
  bootstrapSe: (xs: number[], stat: (xs: number[]) => number, draws?: number) => number;
  bootstrapRatioSe: (a: number[], b: number[], stat: (xs: number[]) => number) => number;
  ratioGate: (g: { ratio: number; se: number; target: number }) => Gate;
  excessGate: (g: { measured: number; floor: number; budget: number; unit: string }) => Gate;
  otherCpu: (c: CpuTicks & { cores: number }) => OtherCpu;
  busyVerdict: (l: {
    loadBefore: number;
    loadAfter: number;
    cores: number;
    cpu: CpuTicks | undefined;
  }) => Busy;
  describeOtherCpu: (busy: Busy) => string;
  OTHER_CPU_LIMIT_CORES: number;
  decide: (checks: Check[], busy: Busy) => { lines: string[]; exitCode: number; verdict: string };
  Targets: new () => {
    checks: Check[];
    check: (l: string, ok: boolean, d: string, o?: { loadIndependent?: boolean }) => void;
    gate: (l: string, g: Gate, o?: { loadIndependent?: boolean }) => void;
  };
};
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const oneToTen = Array.from({ length: 10 }, (_, i) => i + 1);
// Bootstrap SE of a mean tends to the population SD over √n: for 1..10, √8.25 / √10.
const analyticSeOfMean = Math.sqrt(8.25 / 10);

describe('bootstrap standard errors', () => {
  it('matches the analytic standard error of a mean (one paired sample)', () => {
    const se = bootstrapSe(oneToTen, mean);
    expect(se).toBeGreaterThan(analyticSeOfMean * 0.95);
    expect(se).toBeLessThan(analyticSeOfMean * 1.05);
  });

  it('matches the delta-method standard error of a ratio of independent samples', () => {
    // b is constant, so the ratio's SE is the SE of a's mean divided by b's value.
    const se = bootstrapRatioSe(oneToTen, new Array(10).fill(5.5), mean);
    expect(se).toBeGreaterThan((analyticSeOfMean / 5.5) * 0.95);
    expect(se).toBeLessThan((analyticSeOfMean / 5.5) * 1.05);
  });

  it('is zero when every sample is the same', () => {
    expect(bootstrapSe([0.97, 0.97, 0.97], median)).toBeCloseTo(0, 12);
  });

  it('is reproducible from saved samples (fixed seed)', () => {
    const rounds = [0.99, 0.95, 1.01, 0.97, 0.96, 1.0, 0.93, 0.98, 0.97, 1.02, 0.94];
    expect(median(rounds)).toBe(0.97);
    const se = bootstrapSe(rounds, median);
    expect(bootstrapSe(rounds, median)).toBe(se);
    expect(se).toBeGreaterThan(0.005);
    expect(se).toBeLessThan(0.03);
  });
});

describe('ratio gate: ratio + 2·SE against the target', () => {
  it('passes a ratio below target whose noise reaches it', () => {
    expect(ratioGate({ ratio: 0.955, se: 0.01, target: 0.97 }).ok).toBe(true);
  });

  it('fails a ratio whose ratio + 2·SE stays below target', () => {
    const gate = ratioGate({ ratio: 0.94, se: 0.01, target: 0.97 });
    expect(gate.ok).toBe(false);
    expect(gate.detail).toBe('0.940, SE 0.010: ratio + 2·SE = 0.960 (target ≥ 0.97)');
  });

  it('passes exactly at the target and fails without a standard error', () => {
    expect(ratioGate({ ratio: 0.5, se: 0.125, target: 0.75 }).ok).toBe(true);
    expect(ratioGate({ ratio: 0.99, se: Number.NaN, target: 0.97 }).ok).toBe(false);
  });

  it('judges a fixed set of process levels end to end', () => {
    const bare = [1.0, 1.02, 0.98, 1.01, 0.99, 1.03, 0.97, 1.0];
    const instrumented = bare.map((x) => x * 0.95);
    const ratio = median(instrumented) / median(bare);
    expect(ratio).toBeCloseTo(0.95, 12);
    const se = bootstrapRatioSe(instrumented, bare, median);
    expect(se).toBeGreaterThan(0.005);
    expect(ratioGate({ ratio, se, target: 0.97 }).ok).toBe(ratio + 2 * se >= 0.97);
  });
});

describe('latency gate: excess over the floor', () => {
  it('allows the budget and no more', () => {
    expect(excessGate({ measured: 14.9, floor: 10, budget: 5, unit: 'µs' }).ok).toBe(true);
    expect(excessGate({ measured: 30, floor: 25, budget: 5, unit: 'µs' }).ok).toBe(true);
    const over = excessGate({ measured: 15.1, floor: 10, budget: 5, unit: 'µs' });
    expect(over.ok).toBe(false);
    expect(over.detail).toBe('15.10 µs, floor 10.00 µs: 5.10 µs above (budget ≤ 5 µs)');
  });
});

// A 60 s run on 2 cores at 100 clock ticks a second: 12,000 ticks of capacity.
const run = (machineBusy: number, own: number): CpuTicks => ({
  machineBusy,
  machineTotal: 12_000,
  own,
});

describe('CPU used by other processes than the bench', () => {
  it('is the machine busy time less the bench tree, as a share of capacity and in cores', () => {
    const other = otherCpu({ ...run(11_400, 10_800), cores: 2 });
    expect(other.share).toBeCloseTo(0.05, 12);
    expect(other.cores).toBeCloseTo(0.1, 12);
    expect(other.ownCores).toBeCloseTo(1.8, 12);
  });

  it('is never negative when the bench tree counted a tick more than the machine', () => {
    expect(otherCpu({ ...run(6000, 6002), cores: 2 }).cores).toBe(0);
  });

  it('is zero over a run too short for the machine to count a tick', () => {
    const other = otherCpu({ machineBusy: 0, machineTotal: 0, own: 0, cores: 2 });
    expect(other).toEqual({ share: 0, cores: 0, ownCores: 0 });
  });
});

describe('too busy for a verdict', () => {
  // bench:http alone: client and server near 2 cores, load average 2.39 at the end.
  const httpAlone = { loadBefore: 0.4, loadAfter: 2.39, cores: 2, cpu: run(11_700, 11_500) };

  it('is not busy when only the bench kept both cores busy, whatever the load average', () => {
    const quiet = busyVerdict(httpAlone);
    expect(quiet.busy).toBe(false);
    expect(quiet.rule).toBe('other processes CPU');
    expect(quiet.otherCpu?.cores).toBeCloseTo(0.0333, 4);
    expect(quiet.message).toBeUndefined();
  });

  it('is busy when another process took a core, whatever the load average', () => {
    // `yes > /dev/null` beside the bench: one core's worth of other CPU.
    const busy = busyVerdict({ loadBefore: 0.4, loadAfter: 1.5, cores: 2, cpu: run(11_900, 5900) });
    expect(busy.busy).toBe(true);
    expect(busy.message).toBe(
      'machine too busy for a verdict (other processes used 1.00 of 2 cores, above 0.5)',
    );
  });

  it('allows other processes half a core on average and no more', () => {
    expect(OTHER_CPU_LIMIT_CORES).toBe(0.5);
    const at = (other: number) =>
      busyVerdict({ loadBefore: 0, loadAfter: 0, cores: 2, cpu: run(6000 + other, 6000) }).busy;
    expect(at(3000)).toBe(false); // 3,000 of 12,000 ticks: a quarter of 2 cores, 0.5 core
    expect(at(3001)).toBe(true);
  });

  it('falls back to the load average without /proc, and says so', () => {
    const after = busyVerdict({ loadBefore: 1.5, loadAfter: 2.5, cores: 2, cpu: undefined });
    expect(after.busy).toBe(true);
    expect(after.rule).toBe('load average');
    expect(after.message).toBe(
      'machine too busy for a verdict (load 2.50 above 2 cores, judged by load average: no /proc)',
    );
    const before = busyVerdict({ loadBefore: 4.25, loadAfter: 0.5, cores: 2, cpu: undefined });
    expect(before.busy).toBe(true);
    expect(busyVerdict({ loadBefore: 2, loadAfter: 1, cores: 2, cpu: undefined }).busy).toBe(false);
  });

  it('describes the other processes CPU for the printed line', () => {
    expect(describeOtherCpu(busyVerdict(httpAlone))).toBe(
      "other processes' CPU: 0.03 of 2 cores (1.7% of the machine; limit 0.5), the bench's own: 1.92",
    );
    const noProc = busyVerdict({ loadBefore: 0.4, loadAfter: 0.5, cores: 2, cpu: undefined });
    expect(describeOtherCpu(noProc)).toBe(
      "other processes' CPU: not measured (no /proc), load average decides",
    );
  });

  const quiet = busyVerdict({
    loadBefore: 0.5,
    loadAfter: 2.7,
    cores: 2,
    cpu: run(11_000, 10_900),
  });
  const busy = busyVerdict({ loadBefore: 5.43, loadAfter: 4, cores: 2, cpu: run(12_000, 3_000) });
  const targets = () => {
    const t = new Targets();
    t.gate('fetch instrumented/bare', ratioGate({ ratio: 0.9, se: 0.01, target: 0.97 }));
    t.check('every rejected fetch was rejected', true, '5 of 5', { loadIndependent: true });
    return t;
  };

  it('fails a missed timed target on a quiet machine', () => {
    const outcome = decide(targets().checks, quiet);
    expect(outcome.exitCode).toBe(1);
    expect(outcome.verdict).toBe('fail');
    expect(outcome.lines).toContain(
      '  FAIL fetch instrumented/bare: 0.900, SE 0.010: ratio + 2·SE = 0.920 (target ≥ 0.97)',
    );
  });

  it('gives a timed target no verdict on a busy machine and exits 0', () => {
    const outcome = decide(targets().checks, busy);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.verdict).toBe('too busy');
    expect(outcome.lines.filter((l) => l.includes('fetch instrumented/bare'))).toEqual([
      '  no verdict  fetch instrumented/bare: 0.900, SE 0.010: ratio + 2·SE = 0.920 (target ≥ 0.97)',
    ]);
    expect(outcome.lines).toContain('  PASS every rejected fetch was rejected: 5 of 5');
    expect(outcome.lines.at(-1)).toBe(
      'machine too busy for a verdict (other processes used 1.50 of 2 cores, above 0.5)',
    );
  });

  it('keeps the verdict of counts on a busy machine', () => {
    const t = new Targets();
    t.check('own instructions, bare/instrumented', false, '0.950', { loadIndependent: true });
    const outcome = decide(t.checks, busy);
    expect(outcome.exitCode).toBe(1);
    expect(outcome.verdict).toBe('fail');
    expect(outcome.lines.some((l) => l.startsWith('machine too busy'))).toBe(false);
    expect(outcome.lines.at(-1)).toBe(
      'other processes used 1.50 of 2 cores, above 0.5: counts, verdict given',
    );
  });
});

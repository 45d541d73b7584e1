// Shared measuring helpers for the benchmarks: same process, same run, warm-up, rounds, median.
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Mean of `xs` without its lowest and highest `fraction` (robust to a few GC-hit outliers). */
export const trimmedMean = (xs, fraction = 0.1) => {
  const s = [...xs].sort((a, b) => a - b);
  const k = Math.floor(s.length * fraction);
  const kept = s.slice(k, s.length - k);
  return kept.reduce((sum, x) => sum + x, 0) / kept.length;
};

export const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** ns per call of `await target()` over `n` sequential calls. */
export async function nsPerCall(target, n) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await target();
  return Number(process.hrtime.bigint() - t0) / n;
}

/**
 * Runs every case `rounds` times, rotating the order each round so no case always runs first or
 * last, after a warm-up of each. Returns the median ns/call per case and every round's ns/call.
 */
export async function compareCases(cases, { calls, rounds, warmup }) {
  for (const c of cases) await nsPerCall(c.run, warmup);
  const samples = Object.fromEntries(cases.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(k + r) % cases.length];
      samples[c.name].push(await nsPerCall(c.run, calls));
    }
  }
  const medians = Object.fromEntries(cases.map((c) => [c.name, median(samples[c.name])]));
  return { medians, samples };
}

export function printTable(title, header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padStart(widths[i])).join('  ');
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
}

export function writeResults(path, data) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
}

/** Processes ordered side by side: each side's process 0, then each side's process 1, and so on. */
export function interleaved(workers) {
  const out = [];
  for (let index = 0; out.length < workers.length; index++) {
    out.push(...workers.filter((w) => w.index === index));
  }
  return out;
}

/** The comma list in env var `name` (every item one of `all`), or `all` when it is unset. */
export function chosenFromEnv(name, all) {
  const chosen = process.env[name] ? process.env[name].split(',') : all;
  for (const item of chosen)
    if (!all.includes(item)) throw new Error(`${name}: unknown ${item}; one of ${all}`);
  return chosen;
}

export const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));

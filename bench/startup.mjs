// Start-up cost of `node --require otel-circuit-breaker/register`, as a user meets it: the packed
// package is installed into a fresh app in a temp dir, and a trivial app (one 1 ms timer) is run
// whole, bare and under `register` in several configurations, plus bare with only
// `require('otel-circuit-breaker')`. Each round runs every case once, in a rotated order; a case's
// cost is the median of its per-round differences to that round's bare run (wall time from spawn to
// exit, peak RSS reported by the child at exit), with the spread of those differences and an A/A
// control (a second bare run). Profiled runs (not timed) then show where the time goes: module load
// by package and the start-up phases (bench/lib/startup-probe.cjs).
// BENCH_QUICK=1: fewer rounds.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, median, percentile, printTable } from './lib/harness.mjs';
import { beginRun } from './lib/run-record.mjs';
import { bootstrapSe, Targets } from './lib/verdict.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const quick = process.env.BENCH_QUICK === '1';
const ROUNDS = quick ? 8 : 24;
const PROFILED_RUNS = quick ? 3 : 5;
const MiB = 1024;

// Targets: added over bare, medians of the per-round differences. The time budgets were set in ms
// on machines where the bare app starts in 30 ms; machines of the class start it in 30 to 80 ms
// with the same code, so a time is judged against the same run's bare start: `ms` at a 30 ms bare
// start is a budget of ms / 30 bare starts (60 ms: 2 bare starts), in ms where it is judged.
const REFERENCE_BARE_MS = 30;
const TARGETS = {
  default: { ms: 60, mib: 15 },
  'OTEL_SDK_DISABLED=true': { ms: 25, mib: 8 },
  "require('otel-circuit-breaker')": { ms: 15 },
};

const APP = `setTimeout(() => {}, 1);
process.on('exit', () => {
  require('node:fs').writeSync(1, '\\nSTARTUP ' + JSON.stringify({ maxRssKiB: process.resourceUsage().maxRSS }) + '\\n');
});
`;
const CONFIG_YAML = `hosts:
  api.example.com:
    preset: default
defaults:
  failureThreshold: 5
`;

// Every case runs with the same harmless base env: one protected host, metrics on a free port.
const baseEnv = {
  ...process.env,
  CIRCUIT_BREAKER_HOSTS: 'api.example.com',
  OTEL_EXPORTER_PROMETHEUS_PORT: '0',
};
for (const key of Object.keys(baseEnv)) {
  if (key.startsWith('OTEL_') && key !== 'OTEL_EXPORTER_PROMETHEUS_PORT') delete baseEnv[key];
  if (key.startsWith('CIRCUIT_BREAKER_') && key !== 'CIRCUIT_BREAKER_HOSTS') delete baseEnv[key];
}
delete baseEnv.NODE_OPTIONS;

const REGISTER = ['--require', 'otel-circuit-breaker/register'];
const CASES = [
  { name: 'bare', args: ['app.cjs'] },
  { name: 'bare (A/A control)', args: ['app.cjs'] },
  { name: "require('otel-circuit-breaker')", args: ['import-app.cjs'] },
  { name: 'default', args: [...REGISTER, 'app.cjs'] },
  {
    name: 'OTEL_SDK_DISABLED=true',
    args: [...REGISTER, 'app.cjs'],
    env: { OTEL_SDK_DISABLED: 'true' },
  },
  {
    name: 'YAML config file',
    args: [...REGISTER, 'app.cjs'],
    env: { CIRCUIT_BREAKER_CONFIG: 'breakers.yaml', CIRCUIT_BREAKER_HOSTS: '' },
  },
  {
    name: 'Redis store',
    args: [...REGISTER, 'app.cjs'],
    env: {
      CIRCUIT_BREAKER_REDIS_URL: 'redis://127.0.0.1:6379',
      CIRCUIT_BREAKER_REDIS_KEY_PREFIX: `bench-startup-${process.pid}`,
    },
  },
  {
    name: 'admin endpoint',
    args: [...REGISTER, 'app.cjs'],
    env: { CIRCUIT_BREAKER_ADMIN_PORT: '0' },
  },
];
// Optional parts: what each adds over `default` must come from the part itself, so a case whose
// part is off must not load it (a count: it does not move with load).
const OPTIONAL_PARTS = [
  { part: 'YAML', case: 'YAML config file', loads: (pkg) => pkg === 'yaml' },
  { part: 'Redis', case: 'Redis store', loads: (pkg) => pkg === 'ioredis' },
  { part: 'admin', case: 'admin endpoint', loads: (pkg) => pkg === 'otel-circuit-breaker/admin' },
];

function runOnce(dir, c, extraArgs = [], extraEnv = {}) {
  const env = { ...baseEnv, ...c.env, ...extraEnv };
  for (const [key, value] of Object.entries(env)) if (value === '') delete env[key];
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(process.execPath, [...extraArgs, ...c.args], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s) => (stderr += s));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const line = stdout.split('\n').find((l) => l.startsWith('STARTUP '));
      if (code !== 0 || line === undefined) {
        reject(new Error(`${c.name}: exit ${code}\n${stdout}\n${stderr}`));
        return;
      }
      resolve({ ms, rssKiB: JSON.parse(line.slice(8)).maxRssKiB, stderr });
    });
  });
}

function installApp() {
  const dir = mkdtempSync(join(tmpdir(), 'ocb-startup-'));
  const [{ filename }] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
      cwd: root,
      encoding: 'utf8',
    }),
  );
  writeFileSync(join(dir, 'package.json'), '{ "name": "startup-app", "private": true }\n');
  const install = spawnSync(
    'npm',
    ['install', join(dir, filename), '--no-audit', '--no-fund', '--prefer-offline'],
    { cwd: dir, encoding: 'utf8' },
  );
  if (install.status !== 0) throw new Error(`npm install failed:\n${install.stderr}`);
  writeFileSync(join(dir, 'app.cjs'), APP);
  writeFileSync(join(dir, 'import-app.cjs'), `require('otel-circuit-breaker');\n${APP}`);
  writeFileSync(join(dir, 'breakers.yaml'), CONFIG_YAML);
  return dir;
}

const spread = (xs) => `${fmt(percentile(xs, 25), 1)} … ${fmt(percentile(xs, 75), 1)}`;
const versionOf = (dir, name) =>
  JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version;

const run = beginRun('startup');
console.log(`Node ${process.version}; installing the packed package into a fresh app…`);
const dir = installApp();
try {
  // Warm-up: file cache, and a first look at each case's startup line (it must start cleanly).
  for (const c of CASES) await runOnce(dir, c);

  const samples = Object.fromEntries(CASES.map((c) => [c.name, { ms: [], rssKiB: [] }]));
  const deltas = Object.fromEntries(CASES.map((c) => [c.name, { ms: [], perBare: [], mib: [] }]));
  for (let r = 0; r < ROUNDS; r++) {
    const round = {};
    for (let k = 0; k < CASES.length; k++) {
      const c = CASES[(k + r) % CASES.length];
      round[c.name] = await runOnce(dir, c);
      samples[c.name].ms.push(round[c.name].ms);
      samples[c.name].rssKiB.push(round[c.name].rssKiB);
    }
    for (const c of CASES) {
      deltas[c.name].ms.push(round[c.name].ms - round.bare.ms);
      deltas[c.name].perBare.push((round[c.name].ms - round.bare.ms) / round.bare.ms);
      deltas[c.name].mib.push((round[c.name].rssKiB - round.bare.rssKiB) / MiB);
    }
    process.stdout.write(`\rround ${r + 1}/${ROUNDS}`);
  }
  process.stdout.write('\n');

  const summary = {};
  for (const c of CASES) {
    const d = deltas[c.name];
    summary[c.name] = {
      ms: median(samples[c.name].ms),
      rssMiB: median(samples[c.name].rssKiB) / MiB,
      addedMs: median(d.ms),
      addedMsSe: bootstrapSe(d.ms, median),
      addedPerBare: median(d.perBare),
      addedPerBareSe: bootstrapSe(d.perBare, median),
      addedMsSpread: spread(d.ms),
      addedMiB: median(d.mib),
      addedMiBSe: bootstrapSe(d.mib, median),
      addedMiBSpread: spread(d.mib),
    };
  }
  printTable(
    `Whole process, trivial app (1 ms timer): median of ${ROUNDS} rounds; added = median of per-round differences to bare (IQR)`,
    [
      'case',
      'wall ms',
      'added ms',
      'IQR of added ms',
      'peak RSS MiB',
      'added MiB',
      'IQR of added MiB',
    ],
    CASES.map((c) => {
      const s = summary[c.name];
      const isBare = c.name === 'bare';
      return [
        c.name,
        fmt(s.ms),
        isBare ? '—' : fmt(s.addedMs),
        isBare ? '—' : s.addedMsSpread,
        fmt(s.rssMiB),
        isBare ? '—' : fmt(s.addedMiB),
        isBare ? '—' : s.addedMiBSpread,
      ];
    }),
  );
  const overDefault = (name) =>
    `${fmt(summary[name].addedMs - summary.default.addedMs)} ms, ${fmt(summary[name].addedMiB - summary.default.addedMiB)} MiB`;
  console.log(
    `\nover default: YAML config file ${overDefault('YAML config file')}; Redis store ${overDefault('Redis store')}; admin endpoint ${overDefault('admin endpoint')}`,
  );

  // Where the time goes: profiled runs with the probe preloaded (their times include its cost).
  const probe = join(root, 'bench/lib/startup-probe.cjs');
  const profiles = {};
  for (const c of CASES.filter((c) => c.name !== 'bare (A/A control)')) {
    const runs = [];
    for (let i = 0; i < PROFILED_RUNS; i++) {
      const out = join(dir, `probe-${i}.json`);
      await runOnce(dir, c, ['--require', probe], { STARTUP_PROBE_OUT: out });
      runs.push(JSON.parse(readFileSync(out, 'utf8')));
    }
    const packages = [...new Set(runs.flatMap((p) => Object.keys(p.loadMs)))];
    const phases = [...new Set(runs.flatMap((p) => Object.keys(p.phaseMs)))];
    profiles[c.name] = {
      loadMs: Object.fromEntries(
        packages.map((p) => [p, median(runs.map((r) => r.loadMs[p] ?? 0))]),
      ),
      phaseMs: Object.fromEntries(
        phases.map((p) => [p, median(runs.map((r) => r.phaseMs[p] ?? 0))]),
      ),
      untilExitMs: median(runs.map((r) => r.untilExitMs)),
    };
  }
  for (const name of ["require('otel-circuit-breaker')", 'default', 'OTEL_SDK_DISABLED=true']) {
    const p = profiles[name];
    const top = Object.entries(p.loadMs)
      .filter(([pkg]) => pkg !== 'app')
      .sort((a, b) => b[1] - a[1]);
    const total = top.reduce((sum, [, ms]) => sum + ms, 0);
    printTable(
      `Where the time goes, ${name}: module load by package (own compile + top-level code; our register's is the start-up it runs), median of ${PROFILED_RUNS} profiled runs, ${fmt(total)} ms in all`,
      ['package', 'ms'],
      top.slice(0, 14).map(([pkg, ms]) => [pkg, fmt(ms)]),
    );
    const phases = Object.entries(p.phaseMs);
    if (phases.length > 0)
      console.log(
        `  phases (inclusive of what they load): ${phases.map(([label, ms]) => `${label} ${fmt(ms)} ms`).join('; ')}`,
      );
  }

  const targets = new Targets();
  // A timed delta misses its budget only when it stays above it by more than 2·SE (noise).
  const deltaGate = (label, value, se, budget, unit, options) =>
    targets.check(
      label,
      value - 2 * se <= budget,
      `${fmt(value)} ${unit} added, SE ${fmt(se)} (budget ≤ ${budget} ${unit})`,
      options,
    );
  for (const [name, budget] of Object.entries(TARGETS)) {
    const s = summary[name];
    const bareStarts = budget.ms / REFERENCE_BARE_MS;
    targets.check(
      `${name}: wall time`,
      s.addedPerBare - 2 * s.addedPerBareSe <= bareStarts,
      `${fmt(s.addedMs)} ms added, ${s.addedPerBare.toFixed(2)} bare starts (SE ${s.addedPerBareSe.toFixed(2)}); budget ≤ ${bareStarts.toFixed(2)} bare starts (${budget.ms} ms at a ${REFERENCE_BARE_MS} ms bare start, ${fmt(bareStarts * summary.bare.ms)} ms in this run)`,
    );
    // Peak RSS is bytes, not time: it keeps its verdict on a busy machine.
    if (budget.mib !== undefined)
      deltaGate(`${name}: peak RSS`, s.addedMiB, s.addedMiBSe, budget.mib, 'MiB', {
        loadIndependent: true,
      });
  }
  for (const part of OPTIONAL_PARTS) {
    const loadedBy = CASES.map((c) => c.name).filter(
      (name) =>
        profiles[name] !== undefined &&
        Object.keys(profiles[name].loadMs).some(part.loads) &&
        name !== part.case,
    );
    targets.check(
      `${part.part} is loaded only when used`,
      loadedBy.length === 0 && Object.keys(profiles[part.case].loadMs).some(part.loads),
      loadedBy.length === 0
        ? `loaded by "${part.case}" only`
        : `also loaded by: ${loadedBy.join(', ')}`,
      { loadIndependent: true },
    );
  }
  const control = summary['bare (A/A control)'];
  console.log(
    `\nA/A control (bare vs bare): ${fmt(control.addedMs)} ms (SE ${fmt(control.addedMsSe)}), ${fmt(control.addedMiB)} MiB: this run's noise`,
  );
  run.finish(targets, {
    versions: {
      'otel-circuit-breaker': versionOf(dir, 'otel-circuit-breaker'),
      '@opentelemetry/api': versionOf(dir, '@opentelemetry/api'),
      '@opentelemetry/sdk-node': versionOf(dir, '@opentelemetry/sdk-node'),
    },
    rounds: ROUNDS,
    summary,
    samples,
    deltas,
    profiles,
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}

// npm run bench:http:instructions — per-request cost of the transport hooks counted in CPU
// instructions (valgrind callgrind), which, unlike requests/second, does not move with the load of
// a shared machine. For each client (fetch, undici.request, http.request) at concurrency 1 and 16,
// four client processes (bench/lib/http-client-worker.mjs): bare twice (the library loaded, hooks
// off), instrumented (the server's host protected) and unlisted (the hooks on for another host); for
// undici.request and http.request also interceptor (circuitBreakerInterceptor composed on the Agent,
// CircuitBreakerAgent: the host protected without any hook).
// Each runs under callgrind with instrumentation off while it warms up, then
// `callgrind_control -i on` counts MEASURED requests.
//
// Node runs with V8's compiler on the main thread (--single-threaded) and fixed hash and random
// seeds. Under valgrind a background compiler thread gets the CPU only now and then, so the JIT
// used to be still compiling our hook after 40,000 requests, at a different point in each process;
// compiled on the main thread, the code settles within the warm-up and at the same request in every
// process, and the fixed seeds give every process the same hash-table layouts.
//
// The count is split by function into garbage collection, compilation (TurboFan/Maglev, zones,
// malloc) and the rest, the requests' own work. The gate is on the rest: between identical
// processes the GC share moved from 26k to 63k instructions per fetch (which scavenges fall inside
// the window, and how much survives them) and compilation from 15k to 41k (the JIT still
// re-optimising). Both other parts are printed. The scavenger's walk of the startup object cache
// (IterateObjectCache) is GC too: it moved by 4k instructions per request between processes.
//
// undici.request's Agent, and the global Agent of Node's bundled undici that fetch uses (swapped for
// one of the same class), run here without their per-request headers/body timers (headersTimeout
// and bodyTimeout 0, every mode alike): they run on wall time, which valgrind stretches about 50×, so
// under it their rare paths (re-arming, firing) ran every few hundred requests instead of every
// tens of thousands, and the code they deoptimised was recompiled inside the counted window, at
// another request in each process. With them, three composed processes at concurrency 1 counted
// 80.4k, 89.5k and 89.8k own instructions per request; without, 79.13k-79.15k, and the hooked side
// is slower per request in wall time, so it met those timers more often than its baseline did.
// Identical processes can still disagree. So every side runs in BENCH_REPEAT processes (3), a
// side's figure is the median of its processes, and a ratio is gated with its noise like every
// wall-clock ratio here: it misses its target only when ratio + 2·SE does, the SE bootstrapped over
// the processes. Two bare sides
// ("bare" and "bare again") are the A/A control printed beside every ratio; the hooked sides are
// compared with both together. Prints instructions per request, the own-work delta per request and
// baseline ÷ hooked, gated at >= 0.99 for a protected host and >= 0.998 for an unlisted one (the
// interceptor against its own baseline, see baselineOf).
// Counts do not move with load: this bench gives its verdict however busy the machine is.
// BENCH_QUICK=1: fewer warm-up and counted requests (a check of the bench, not of the hooks).
// BENCH_CLIENTS=fetch,http.request, BENCH_MODES=interceptor, BENCH_CONCURRENCY=1 (comma lists):
// only those (both bare sides always run). BENCH_PARALLEL=N: processes at a time (2).
// BENCH_REPEAT=N: processes per side (3; 1 with BENCH_QUICK).
// BENCH_CALLGRIND_DIR=DIR: keep each process's callgrind output there (MODE-CLIENT-CONCURRENCY.out)
// for callgrind_annotate, instead of a temporary directory removed at the end.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { chosenFromEnv, fmt, median, printTable } from './lib/harness.mjs';
import { CLIENTS } from './lib/http-clients.mjs';
import { beginRun } from './lib/run-record.mjs';
import { bootstrapRatioSe, ratioGate, Targets } from './lib/verdict.mjs';

const quick = process.env.BENCH_QUICK === '1';
/**
 * Uncounted requests first. One at a time, V8 tiered undici's hottest functions (writeH1, the
 * parser's callbacks, the socket's writes) up to TurboFan only about 20,000 requests in: after
 * 20,000 they were compiled inside the counted window (29k compile instructions per request in
 * every process, and own work from 78.5k to 80.3k between identical processes); after 40,000, two
 * bare processes counted 76,576 and 76,602.
 */
const warmupAt = (concurrency) => (quick ? 5_000 : concurrency === 1 ? 40_000 : 20_000);
const MEASURED = quick ? 2_000 : 4_000;
const RUN = 2_000;
/** Requests per batch while waiting for a mark-compact, and at most how many. */
const SETTLE_BATCH = 500;
const SETTLE_MAX = quick ? 5_000 : 20_000;
/** bare ÷ hooked own-work instructions, at least: a protected host, and an unlisted one. */
const TARGET = { instrumented: 0.99, unlisted: 0.998, interceptor: 0.99 };
const LABEL = {
  instrumented: 'protected host',
  unlisted: 'unlisted host',
  interceptor: 'protected host, interceptor/agent without the hook',
};
/** `interceptor`: circuitBreakerInterceptor on the undici Agent, CircuitBreakerAgent for http. */
const HOOKED = ['instrumented', 'unlisted', 'interceptor'];
const NO_INTERCEPTOR = new Set(['fetch']); // the built-in fetch's own Agent cannot be composed
/**
 * The interceptor's baseline: for undici.request the same Agent composed with a pass-through
 * interceptor (`composed`: compose's Proxy and wrapper are undici's cost, paid by any interceptor);
 * for http.request both bare processes (CircuitBreakerAgent is a plain subclass).
 */
const baselineOf = (kind, mode) =>
  mode === 'interceptor' && kind === 'undici.request' ? 'composed' : 'bare';
/** `again` is a second bare process: the A/A control. */
const WORKER_MODE = {
  bare: 'bare',
  again: 'bare',
  instrumented: 'instrumented',
  unlisted: 'unlisted',
  interceptor: 'interceptor',
  composed: 'composed',
};
const CHOSEN = chosenFromEnv('BENCH_CLIENTS', CLIENTS);
const MODES = ['bare', 'again', ...chosenFromEnv('BENCH_MODES', HOOKED)];
const positive = (name, fallback) => {
  const value = Number(process.env[name] ?? fallback);
  if (!(Number.isInteger(value) && value >= 1)) {
    throw new Error(`${name}: ${process.env[name]} is not a whole number >= 1`);
  }
  return value;
};
const PARALLEL = positive('BENCH_PARALLEL', 2);
const REPEAT = positive('BENCH_REPEAT', quick ? 1 : 3);
/** V8 flags of every measured process (see the top of this file). */
const NODE_FLAGS = [
  '--no-allocation-site-pretenuring',
  '--single-threaded',
  '--hash-seed=1',
  '--random-seed=1',
  '--expose-gc',
];
const CONCURRENCIES = chosenFromEnv('BENCH_CONCURRENCY', ['1', '16']).map(Number);
/** Function names (as callgrind_annotate prints them) that are garbage collection. */
const GC =
  /Scaveng|IterateObjectCache|MarkCompact|ConcurrentMarking|Sweeper|Heap::|Evacuat|RememberedSet|SlotSet|GCTracer|MemoryAllocator|Marking|heap::base|cppgc|PagedSpace|SemiSpace|NewSpace|MinorMS|SizeFromMap|IteratePointers/;
/** Compilation and native allocation. */
const COMPILE =
  /compiler::|maglev::|turboshaft|Zone|CodeGenerator|OptimizingCompile|Compiler::|interpreter::|RegisterAllocat|baseline::|malloc|_int_free|\bfree\b|memset|memcpy|memmove/;

const run = beginRun('http-instructions');
const worker = fileURLToPath(new URL('./lib/http-client-worker.mjs', import.meta.url));
const server = spawn(
  process.execPath,
  [fileURLToPath(new URL('./lib/canned-http-server.cjs', import.meta.url))],
  { stdio: ['pipe', 'pipe', 'inherit'] },
);
const origin = `http://127.0.0.1:${Number(String((await once(server.stdout, 'data'))[0]))}`;
const keptDir = process.env.BENCH_CALLGRIND_DIR;
if (keptDir) mkdirSync(keptDir, { recursive: true });
const dir = keptDir || mkdtempSync(join(tmpdir(), 'cb-callgrind-'));

/** Instructions per request of one warmed-up process, split into gc / compile / rest. */
async function measure({ mode, kind, concurrency, repeat }) {
  const out = join(dir, `${mode}-${kind}-${concurrency}-${repeat}.out`);
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      '--instr-atstart=no',
      `--callgrind-out-file=${out}`,
      process.execPath,
      ...NODE_FLAGS,
      worker,
      WORKER_MODE[mode],
      kind,
      origin,
      String(concurrency),
      'ticked',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const replies = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const send = async (command) => {
    child.stdin.write(`${JSON.stringify(command)}\n`);
    const { value, done } = await replies.next();
    if (done) throw new Error(`${mode} ${kind} under callgrind exited: ${stderr.slice(-500)}`);
    return JSON.parse(value);
  };
  await send({ op: 'ping' });
  for (let i = 0; i < warmupAt(concurrency) / RUN; i++) await send({ op: 'run', n: RUN });
  // The window starts just after a mark-compact (see settle in the worker): which side met one
  // inside its window depended on nothing but how its heap had grown, and a window holding one
  // counted 10k more own instructions per request (the marking write barrier) and 47k more GC.
  const settled = await send({ op: 'settle', n: SETTLE_BATCH, max: SETTLE_MAX });
  // Every window starts with an empty nursery, so the scavenges inside it fall at the same requests
  // in processes that allocate alike; without it, where the window cut the scavenge cycle moved
  // each process's count by thousands of instructions per request.
  await send({ op: 'gc' });
  execFileSync('callgrind_control', ['-i', 'on', String(child.pid)], { stdio: 'ignore' });
  let last;
  for (let i = 0; i < MEASURED / RUN; i++) last = await send({ op: 'run', n: RUN });
  execFileSync('callgrind_control', ['-i', 'off', String(child.pid)], { stdio: 'ignore' });
  child.stdin.end();
  await once(child, 'exit');
  const annotated = execFileSync('callgrind_annotate', ['--threshold=100', out], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const parts = { total: 0, gc: 0, compile: 0 };
  for (const line of annotated.split('\n')) {
    const m = /^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*)$/.exec(line);
    if (m === null) continue;
    const count = Number(m[1].replaceAll(',', '')) / MEASURED;
    if (m[2].includes('PROGRAM TOTALS')) parts.total = count;
    else if (GC.test(m[2])) parts.gc += count;
    else if (COMPILE.test(m[2])) parts.compile += count;
  }
  return {
    ...parts,
    rest: parts.total - parts.gc - parts.compile,
    settledAfter: settled.requests,
    settledOnMarkCompact: settled.found,
    majorGcsInWindow: last.majorGcs - settled.majorGcs,
  };
}

// Every client at both concurrencies, in the modes: bare twice, instrumented (a protected host),
// unlisted (the hook on for another host) and interceptor (the client's own dispatcher or agent).
const modesOf = (kind) => {
  const modes = MODES.filter((mode) => mode !== 'interceptor' || !NO_INTERCEPTOR.has(kind));
  return modes.includes('interceptor') && kind === 'undici.request'
    ? [...modes, 'composed']
    : modes;
};
// Repeat by repeat, so a run cut short has every side once before any side twice.
const jobs = Array.from({ length: REPEAT }, (_, repeat) =>
  CHOSEN.flatMap((kind) =>
    CONCURRENCIES.flatMap((concurrency) =>
      modesOf(kind).map((mode) => ({ kind, concurrency, mode, repeat })),
    ),
  ),
).flat();
// PARALLEL at a time: callgrind runs a process on one core.
const counts = new Array(jobs.length);
let next = 0;
await Promise.all(
  Array.from({ length: PARALLEL }, async () => {
    while (next < jobs.length) {
      const index = next++;
      const job = jobs[index];
      counts[index] = await measure(job);
      // One line per process as it ends: a long run shows its progress, and a cut-short one its figures.
      const { rest, gc, compile, total, settledAfter, settledOnMarkCompact, majorGcsInWindow } =
        counts[index];
      const settledText = settledOnMarkCompact
        ? `a mark-compact ${settledAfter} requests after warm-up`
        : `no mark-compact in ${settledAfter} requests after warm-up`;
      console.log(
        `${job.kind} c${job.concurrency} ${job.mode} #${job.repeat + 1}: own ${fmt(rest, 0)}, GC ${fmt(gc, 0)}, compile ${fmt(compile, 0)}, total ${fmt(total, 0)} instructions per request; ${settledText}, ${majorGcsInWindow} in the window`,
      );
    }
  }),
);
server.stdin.end();
if (!keptDir) rmSync(dir, { recursive: true, force: true });

/** Every process of one side. */
const processesOf = (kind, concurrency, mode) =>
  jobs.flatMap((j, index) =>
    j.kind === kind && j.concurrency === concurrency && j.mode === mode ? [counts[index]] : [],
  );
const k = (x) => fmt(x / 1000, 1);
const signed = (x) => `${x >= 0 ? '+' : ''}${fmt(x, 0)}`;
const targets = new Targets();
const rows = [];
const results = {
  warmup: Object.fromEntries(CONCURRENCIES.map((c) => [c, warmupAt(c)])),
  measured: MEASURED,
  repeat: REPEAT,
  nodeFlags: NODE_FLAGS,
  clients: {},
};
/** A side's figures: the median of its processes for each part, and every process's own work. */
const side = (processes) => ({
  rest: median(processes.map((p) => p.rest)),
  gc: median(processes.map((p) => p.gc)),
  compile: median(processes.map((p) => p.compile)),
  total: median(processes.map((p) => p.total)),
  perProcessRest: processes.map((p) => p.rest),
});
/** The ratio baseline ÷ side, its SE over the processes, and the own-work delta. */
const compare = (base, processes) => {
  const rests = processes.map((p) => p.rest);
  const ratio = median(base) / median(rests);
  return {
    delta: median(rests) - median(base),
    ratio,
    se: REPEAT > 1 ? bootstrapRatioSe(base, rests, median) : 0,
  };
};
const row = (kind, concurrency, mode, s, vs) => [
  kind,
  concurrency,
  mode === 'again' ? 'bare again (A/A)' : mode,
  k(s.rest),
  s.perProcessRest.length > 1
    ? `${k(Math.min(...s.perProcessRest))}-${k(Math.max(...s.perProcessRest))}`
    : '',
  vs === undefined ? '' : signed(vs.delta),
  vs === undefined ? '' : fmt(vs.ratio, 4),
  vs === undefined || REPEAT === 1 ? '' : fmt(vs.se, 4),
  k(s.gc),
  k(s.compile),
  k(s.total),
];
for (const kind of CHOSEN) {
  for (const concurrency of CONCURRENCIES) {
    const bare = processesOf(kind, concurrency, 'bare');
    const again = processesOf(kind, concurrency, 'again');
    const aa = compare(
      bare.map((p) => p.rest),
      again,
    );
    // The hooked sides are compared with both bare sides together.
    const bareRests = [...bare, ...again].map((p) => p.rest);
    const entry = { bare: side(bare), again: side(again), aa };
    rows.push(row(kind, concurrency, 'bare', entry.bare));
    rows.push(row(kind, concurrency, 'again', entry.again, aa));
    for (const mode of modesOf(kind).filter((m) => m !== 'bare' && m !== 'again')) {
      const processes = processesOf(kind, concurrency, mode);
      const baseline = baselineOf(kind, mode);
      const base =
        baseline === 'bare'
          ? bareRests
          : processesOf(kind, concurrency, baseline).map((p) => p.rest);
      const vs = compare(base, processes);
      entry[mode] = { ...side(processes), ...vs };
      rows.push(row(kind, concurrency, mode, entry[mode], vs));
      if (TARGET[mode] === undefined) continue; // a baseline: printed, not gated
      const gate = ratioGate({ ratio: vs.ratio, se: vs.se, target: TARGET[mode] });
      targets.gate(
        `${kind} at concurrency ${concurrency}, ${LABEL[mode]}: own instructions ${baseline}/${mode}`,
        {
          ok: gate.ok,
          detail: `${gate.detail}; ${signed(vs.delta)} instructions per request; A/A ${fmt(aa.ratio, 4)}`,
        },
        { loadIndependent: true },
      );
    }
    results.clients[`${kind} c${concurrency}`] = entry;
  }
}
printTable(
  `k-instructions per request (callgrind, ${MEASURED} keep-alive requests after ${CONCURRENCIES.map((c) => `${warmupAt(c)} (c${c})`).join(', ')} uncounted, ${REPEAT} process(es) per side, the median; Node ${process.version} ${NODE_FLAGS.join(' ')}; Δ and ratio against both bare sides (the interceptor on undici.request: against composed), A/A: bare ÷ bare again; SE bootstrapped over processes)`,
  [
    'client',
    'conc.',
    'side',
    'own work',
    'processes',
    'Δ own / req',
    'baseline ÷ this',
    'SE',
    'GC',
    'compile+malloc',
    'total',
  ],
  rows,
);
const valgrind = execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim();
const undiciNpm = createRequire(import.meta.url)('undici/package.json').version;
run.finish(targets, {
  versions: { valgrind, undiciBundled: process.versions.undici, undiciNpm },
  ...results,
});

// A long-lived client process for bench/http.mjs and bench/http-instructions.mjs: one client kind in
// one mode (hook-setup.mjs), started as `worker MODE CLIENT ORIGIN CONCURRENCY [coarse|ticked]`,
// driven by JSON lines on stdin, answering one JSON line per command on stdout. Staying alive
// between rounds lets the JIT settle once (it takes tens of thousands of requests here) and lets
// the bench alternate bare and instrumented rounds without patching anything in between.
//
//   {"op":"ping"}                -> {} once the process has loaded everything
//   {"op":"gc"}                  -> {} after a young-generation collection (node --expose-gc)
//   {"op":"settle","n":N,"max":M} runs N requests at a time until the process does a
//                                mark-compact (at most M): -> {requests, found, majorGcs}
//   {"op":"run","n":N,"lead":L}  L untimed, then N timed requests at the process's concurrency:
//                                -> {rps, cpuUsPerRequest, gcUsPerRequest, majorGcs (so far)}
//   {"op":"fail","via":V,"n":N}  times N single sequential fetches that fail without a socket:
//                                V = "breaker" (instrumented only: the circuit is forced open),
//                                "later-turn-dispatcher" (the floor: a dispatcher with no breaker
//                                that fails on a later event-loop turn, as a rejection is
//                                delivered) or "null-dispatcher" (the same, failing in a microtask:
//                                what the later turn costs). One kind per process, as in an app:
//                                mixing two kinds of fetch call in one process makes fetch's code
//                                polymorphic and slows both. -> {p50Us, p99Us, gcUsPerCall,
//                                gcPausesPer10k, rejectedInBlock (how many the breaker rejected)}
import { constants, performance, PerformanceObserver } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { percentile } from './harness.mjs';
import { clientGuard, setUpClientMode } from './hook-setup.mjs';
import { prepareClient } from './http-clients.mjs';

const [mode, client, origin, concurrency, clockKind = 'coarse'] = process.argv.slice(2);
// `ticked`: under valgrind (bench/http-instructions.mjs) the coarse clock's 10 ms ticker runs on
// wall time, which balloons there (valgrind runs ~50× slower), and would charge a tick to every few
// requests. This clock is the coarse clock without the timer: a read is a variable, refreshed by the
// request loop every TICK_REQUESTS requests (about 10 ms of requests at these rates), so the ticks
// are counted at the rate they happen outside valgrind. Real clock reads (`performance.now()` costs
// ~230 instructions here, and the closed path reads the clock four times) are not what a user runs.
const TICK_REQUESTS = 100;
let tickedNow = performance.now();
const tickedClock = {
  now: () => tickedNow,
  preciseNow: () => (tickedNow = performance.now()),
  wallNow: () => Date.now(),
};
const clock = clockKind === 'ticked' ? tickedClock : undefined;
// `interceptor`: the client's own dispatcher or agent guards the origin; no hook is enabled.
// `composed`: its baseline for undici, the Agent composed with a pass-through interceptor.
const guard =
  mode === 'interceptor' || mode === 'composed'
    ? clientGuard(origin, clock, mode === 'composed')
    : undefined;
const { undici, call } = await prepareClient(client, origin, Number(concurrency), guard, {
  requestTimers: clockKind !== 'ticked',
});
const breaker = guard?.breaker ?? setUpClientMode(mode, { undici, origin, clock });

let gcMs = 0;
let gcCount = 0;
/** Mark-compacts since the first `run`, and whether one has run yet. */
let majorGcs = 0;
let running = false;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcMs += entry.duration;
    gcCount++;
    if (running && entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majorGcs++;
  }
}).observe({ entryTypes: ['gc'] });

/** `count` requests, `concurrency` at a time. */
async function requests(count) {
  let started = 0;
  const worker = async () => {
    while (started++ < count) {
      if (started % TICK_REQUESTS === 0) tickedNow = performance.now();
      await call();
    }
  };
  await Promise.all(Array.from({ length: Number(concurrency) }, worker));
}

async function run(n, lead = 0) {
  running = true;
  // Untimed requests first: a process that waited for its turn starts cold (caches, sockets).
  if (lead > 0) await requests(lead);
  gcMs = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await requests(n);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  // GC entries are delivered asynchronously: let the observer catch up before reading.
  await new Promise((resolve) => setImmediate(resolve));
  return {
    rps: n / seconds,
    cpuUsPerRequest: (cpu.user + cpu.system) / n,
    gcUsPerRequest: (gcMs * 1000) / n,
    majorGcs,
  };
}

/**
 * Runs batches of `n` requests until the process does a mark-compact (at most `max` requests), so
 * that the window that follows starts with one just behind it. Each mark-compact falls wherever the
 * old generation's growth (compiled code, feedback, promoted objects) meets V8's limit, and a
 * counted window that holds one pays its marking, in GC and in the write barriers of its own code.
 * After one, the limit is set from what is live, and the next one is further off than a window
 * (under callgrind, fetch at concurrency 1 ran up to 10,000 requests between two).
 */
async function settle(n, max) {
  const before = majorGcs;
  let done = 0;
  while (majorGcs === before && done < max) {
    await requests(n);
    done += n;
    await new Promise((resolve) => setImmediate(resolve)); // the observer's entries arrive later
  }
  return { requests: done, found: majorGcs !== before, majorGcs };
}

/** A fetch that fails without a socket: rejected by the open circuit, or a floor (see top). */
const floorError = new Error('floor');
/** A dispatcher that fails every request with `floorError`, delivered through `schedule`. */
const failingDispatcher = (schedule) => ({
  dispatch(_opts, handler) {
    schedule(() => handler.onError(floorError));
    return true;
  },
});
const nullDispatcher = failingDispatcher(queueMicrotask);
const laterTurnDispatcher = failingDispatcher(setImmediate);
const failingFetch = {
  breaker: () => fetch(`${origin}/`),
  // A plain-object dispatcher is not a DispatcherBase, so the hook (if on) never sees it.
  'null-dispatcher': () => fetch(`${origin}/`, { dispatcher: nullDispatcher }),
  'later-turn-dispatcher': () => fetch(`${origin}/`, { dispatcher: laterTurnDispatcher }),
};

async function fail({ via, n }) {
  const call = failingFetch[via];
  if (via === 'breaker') {
    if (breaker === undefined)
      throw new Error('failing via the breaker needs the instrumented mode');
    if (breaker.currentState !== 'forced_open') breaker.forceOpen();
  }
  const ns = new Float64Array(n);
  const rejectedBefore = breaker?.counters.rejected ?? 0;
  gcMs = 0;
  gcCount = 0;
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    try {
      await call();
    } catch {
      // expected: TypeError('fetch failed') caused by CircuitOpenError (or the floor's error)
    }
    ns[i] = Number(process.hrtime.bigint() - t0);
  }
  const sorted = Array.from(ns);
  // GC entries are delivered asynchronously: let the observer catch up before reading.
  await new Promise((resolve) => setImmediate(resolve));
  return {
    p50Us: percentile(sorted, 50) / 1000,
    p99Us: percentile(sorted, 99) / 1000,
    gcUsPerCall: (gcMs * 1000) / n,
    gcPausesPer10k: (gcCount * 10_000) / n,
    rejectedInBlock: (breaker?.counters.rejected ?? 0) - rejectedBefore,
  };
}

/**
 * A young-generation collection (node --expose-gc), so every counted window starts with an empty
 * nursery. Not a full one: `gc()` also throws away compiled code, and the JIT then recompiles
 * inside the window (80k instructions more per request, in every process).
 */
function collect() {
  globalThis.gc({ type: 'minor' });
  return {};
}

const ops = {
  ping: () => ({}),
  run: ({ n, lead }) => run(n, lead),
  settle: ({ n, max }) => settle(n, max),
  fail,
  gc: collect,
};
for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line);
  process.stdout.write(`${JSON.stringify(await ops[command.op](command))}\n`);
}

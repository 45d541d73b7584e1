// npm run bench:redis, in one run:
//  1. requests/second of instrumented fetch to a loopback keep-alive server, Redis store vs memory
//     store: two app processes under `--require register` (identical but for
//     CIRCUIT_BREAKER_REDIS_URL), several processes of each, measured in rounds that rotate their
//     order; target ratio >= 0.95, met unless ratio + 2·SE stays below it (the median process of
//     each side, its SE bootstrapped over the processes). Second memory-store apps give an A/A
//     control: identical apps, this run's noise;
//  2. Redis commands per 1,000 calls of the Redis-store app, from INFO commandstats deltas of a
//     redis-server of the bench's own (nobody else's commands in the count);
//  3. propagation between two processes: (a) a committed transition until the other process's
//     breaker applies it (many samples), (b) end to end: app A trips on real HTTP failures until
//     app B's breaker is open (B then rejects without sending, checked every time). Target p99 < 50 ms.
// Writes bench/results/redis.json; exits 1 when a target is missed, but gives the timed targets no
// verdict when other processes than the bench's own took more than half a core over the run (a Redis
// at REDIS_URL is not the bench's own). Measures dist/ (npm run build). BENCH_QUICK=1: fewer rounds
// and samples.
// Uses its own redis-server on a free port when `redis-server` is installed, else REDIS_URL or
// 127.0.0.1:6379 under a unique key prefix (then the command counts may include other clients').
import { fork, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { nextMessage } from './lib/child-message.mjs';
import { fmt, median, percentile, printTable } from './lib/harness.mjs';
import { beginRun } from './lib/run-record.mjs';
import { bootstrapRatioSe, ratioGate, Targets } from './lib/verdict.mjs';

const require = createRequire(import.meta.url);
const SELF = fileURLToPath(import.meta.url);
const REGISTER = fileURLToPath(new URL('../dist/cjs/register.js', import.meta.url));
const nowMs = () => performance.timeOrigin + performance.now();
const quick = process.env.BENCH_QUICK === '1';

/** Every child process started, killed by pid at the end (also when a measure fails). */
const children = new Set();
const role = process.argv[2];
if (role === 'client') await runClient();
else if (role === 'follower') await runFollower();
else if (role === 'member') await runMember();
else await main();

// ---- child: an app under --require register doing fetch rounds on request ---------------------
async function runClient() {
  const url = process.env.TARGET_URL;
  process.on('message', async (m) => {
    if (m.op === 'exit') process.exit(0);
    let next = 0;
    const worker = async () => {
      while (next++ < m.n) {
        const res = await fetch(url);
        await res.arrayBuffer();
      }
    };
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: m.concurrency }, worker));
    process.send({ ns: Number(process.hrtime.bigint() - t0) });
  });
  process.send({ ready: true });
}

// ---- child: instance B of the store-level propagation measure ---------------------------------
async function runFollower() {
  const { BreakerRegistry } = require('../dist/cjs/index.js');
  const { RedisStore } = require('../dist/cjs/store/index.js');
  const { SharedStateSync } = require('../dist/cjs/fleet/index.js');
  const [, , , url, keyPrefix, name] = process.argv;
  // The store's connections never keep a process alive (an app must exit as it would without the
  // library): this child lives on its IPC channel, so it listens before waiting for Redis.
  process.on('message', async (m) => {
    if (m === 'stop') {
      sync.detach();
      await store.close();
      process.exit(0);
    }
  });
  const registry = new BreakerRegistry();
  const store = new RedisStore({ url, keyPrefix, connectionName: 'bench-b' });
  await store.whenReady();
  const sync = new SharedStateSync(store, { flushIntervalMs: 60_000, resyncIntervalMs: 60_000 });
  sync.attach(registry);
  const breaker = registry.get(name);
  breaker.onTransition((t) => {
    if (t.reason === 'remote')
      process.send({ at: nowMs(), to: t.to, rejects: breaker.canRequest() === null });
  });
  await store.whenSubscribed();
  process.send({ ready: true });
}

// ---- child: an app of the end-to-end propagation measure (under --require register) -----------
async function runMember() {
  const { breakers } = require('otel-circuit-breaker');
  const url = process.env.TARGET_URL;
  const host = process.env.CIRCUIT_BREAKER_HOSTS;
  const member = process.env.MEMBER;
  const call = async () => {
    try {
      const res = await fetch(url, { headers: { 'x-member': member } });
      await res.arrayBuffer();
      return res.ok ? 'ok' : 'failed';
    } catch (err) {
      return (err.code ?? err.cause?.code) === 'ECIRCUITOPEN' ? 'rejected' : 'failed';
    }
  };
  breakers.onTransition((t) =>
    process.send({ type: 'transition', to: t.to, reason: t.reason, at: nowMs() }),
  );
  process.on('message', async (m) => {
    if (m.op === 'exit') process.exit(0);
    if (m.op === 'trip') {
      // Fail until this instance's own breaker rejects (it opens on its own window, the fleet follows).
      for (let i = 0; i < 50 && (await call()) !== 'rejected'; i++);
      process.send({ type: 'tripped' });
    }
    if (m.op === 'call') process.send({ type: 'called', outcome: await call() });
    if (m.op === 'state') process.send({ type: 'state', state: breakers.peek(host)?.currentState });
  });
  process.send({ type: 'ready' });
}

// ---- the bench ----------------------------------------------------------------------------------
async function main() {
  const run = beginRun('redis');
  const redis = await startRedis();
  const { RedisStore } = require('../dist/cjs/store/index.js');
  const { Redis } = require('ioredis');
  const admin = new Redis(redis.url, { lazyConnect: false });
  const keyPrefix = `cbbench:${process.pid}:${Date.now()}`;
  const store = new RedisStore({ url: redis.url, keyPrefix, connectionName: 'bench-a' });
  await store.whenReady();
  const targets = new Targets();
  try {
    progress('throughput: memory vs Redis store ...');
    const throughput = await measureThroughput(redis.url, keyPrefix, admin);
    progress('propagation: committed transitions ...');
    const transitionPropagation = await measureStorePropagation(redis.url, keyPrefix, store);
    progress('propagation: HTTP trips ...');
    const e2eStore = new RedisStore({ url: redis.url, keyPrefix: `${keyPrefix}:e2e` });
    await e2eStore.whenReady();
    const httpPropagation = await measureHttpPropagation(redis.url, `${keyPrefix}:e2e`, e2eStore);
    await e2eStore.close();

    printTable(
      `Instrumented fetch, loopback keep-alive server (${throughput.processes} app processes of each kind, ${throughput.rounds} rounds of ${throughput.requests} requests each, order rotating, concurrency ${throughput.concurrency}). ` +
        'Per process the median round; per side the median process; SE bootstrapped over the processes',
      ['store', 'req/s (median)', 'vs memory', 'SE'],
      [
        ['memory', fmt(throughput.memoryRps, 0), '1.000', ''],
        [
          'redis',
          fmt(throughput.redisRps, 0),
          fmt(throughput.ratio, 3),
          fmt(throughput.ratioSe, 3),
        ],
        [
          'memory (A/A control)',
          fmt(throughput.controlRps, 0),
          fmt(throughput.controlRatio, 3),
          fmt(throughput.controlSe, 3),
        ],
      ],
    );
    printTable(
      `Redis commands per 1,000 calls (INFO commandstats delta over ${throughput.redisCalls} calls of the Redis-store app)`,
      ['counted', 'per 1,000 calls'],
      [
        ['sent by the app (EVALSHA, ZREM, ...)', fmt(throughput.clientCommandsPer1000, 2)],
        ['incl. commands run inside scripts', fmt(throughput.allCommandsPer1000, 2)],
      ],
    );
    printTable(
      `Propagation between two processes (Redis ${store.redisVersion})`,
      ['measure', 'samples', 'p50 ms', 'p99 ms', 'max ms'],
      [
        [
          'committed transition -> B applies it',
          transitionPropagation.samples,
          fmt(transitionPropagation.p50Ms, 2),
          fmt(transitionPropagation.p99Ms, 2),
          fmt(transitionPropagation.maxMs, 2),
        ],
        [
          'A trips on HTTP failures -> B rejects',
          httpPropagation.samples,
          fmt(httpPropagation.p50Ms, 2),
          fmt(httpPropagation.p99Ms, 2),
          fmt(httpPropagation.maxMs, 2),
        ],
      ],
    );
    targets.gate(
      'Redis store vs memory store (req/s)',
      ratioGate({ ratio: throughput.ratio, se: throughput.ratioSe, target: 0.95 }),
    );
    targets.check(
      'propagation p99, committed transition',
      transitionPropagation.p99Ms < 50,
      `${fmt(transitionPropagation.p99Ms, 2)} ms (target < 50 ms)`,
    );
    targets.check(
      'propagation p99, HTTP trip on A -> B rejects',
      httpPropagation.p99Ms < 50,
      `${fmt(httpPropagation.p99Ms, 2)} ms (target < 50 ms)`,
    );
    targets.check(
      'B rejects without sending once open',
      transitionPropagation.rejectedWhenOpen === transitionPropagation.opens &&
        httpPropagation.rejectedWithoutSending === httpPropagation.samples,
      `${transitionPropagation.rejectedWhenOpen}/${transitionPropagation.opens} store-level, ${httpPropagation.rejectedWithoutSending}/${httpPropagation.samples} over HTTP`,
      { loadIndependent: true },
    );
    run.finish(targets, {
      versions: { redis: store.redisVersion, ioredis: require('ioredis/package.json').version },
      redis: redis.own ? 'own redis-server on a free port' : redis.url,
      throughput,
      propagation: transitionPropagation,
      httpPropagation,
    });
  } finally {
    // Children are killed by pid, also when a measure failed half-way.
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    admin.disconnect();
    await store.close();
    await redis.stop();
  }
}

/** Alternating rounds of the memory-store app and the Redis-store app against one server process. */
async function measureThroughput(redisUrl, keyPrefix, admin) {
  const CONCURRENCY = 16;
  const REQUESTS = quick ? 2_000 : 5_000;
  const ROUNDS = 6; // one whole cycle of the six orders below
  const PROCESSES = quick ? 2 : 4; // apps of each kind
  const serverSource = `
const http = require('node:http');
const s = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => { res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' }); res.end('ok'); });
s.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: s.address().port }) + '\\n'));
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();`;
  const server = spawn(process.execPath, ['-e', serverSource], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const [line] = await once(server.stdout, 'data');
  const { port } = JSON.parse(String(line));
  const common = {
    PATH: process.env.PATH,
    TARGET_URL: `http://127.0.0.1:${port}/`,
    CIRCUIT_BREAKER_HOSTS: `127.0.0.1:${port}`,
    OTEL_SDK_DISABLED: 'true',
  };
  // PROCESSES apps of each kind: how fast one app process runs stays with it for the whole run
  // (its JIT and heap), and with one process per kind that difference was the larger noise: two
  // identical memory-store apps read 0.92 to 1.14 of each other while the SE over rounds said
  // 0.02-0.05. Each process's level is the median of its rounds; a side's, the median of its
  // processes; the ratio's SE is bootstrapped over processes.
  const names = ['memory', 'redis', 'control'];
  const sets = [];
  for (let p = 0; p < PROCESSES; p++) {
    sets.push([
      await startChild('client', { ...common }),
      await startChild('client', {
        ...common,
        CIRCUIT_BREAKER_REDIS_URL: redisUrl,
        // A fleet of its own each: one instance's cost, not that of instances syncing each other.
        CIRCUIT_BREAKER_REDIS_KEY_PREFIX: `${keyPrefix}:rps:${p}`,
      }),
      await startChild('client', { ...common }),
    ]);
  }
  const round = async (child) => {
    child.send({ op: 'run', n: REQUESTS, concurrency: CONCURRENCY });
    const [m] = await nextMessage(child, 'a client process');
    return (REQUESTS * 1e9) / m.ns;
  };
  for (let i = 0; i < 3; i++) for (const set of sets) for (const child of set) await round(child);
  const before = await commandStats(admin);
  /** samples[side][process]: that process's rounds, requests/second. */
  const samples = Object.fromEntries(names.map((name) => [name, sets.map(() => [])]));
  // The six orders in turn: over six rounds each app of a set runs first, second and last, and
  // right after each of the others, equally often; the sets take turns within each round.
  const orders = [
    [0, 1, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
    [1, 0, 2],
    [0, 2, 1],
  ];
  for (let r = 0; r < ROUNDS; r++) {
    for (let p = 0; p < PROCESSES; p++) {
      for (const k of orders[r % orders.length]) {
        samples[names[k]][p].push(await round(sets[p][k]));
      }
    }
  }
  // One more flush interval, so the counts of the last round reach Redis too.
  await new Promise((r) => setTimeout(r, 1100));
  const after = await commandStats(admin);
  for (const set of sets) for (const child of set) child.send({ op: 'exit' });
  server.stdin.end();
  const redisCalls = ROUNDS * REQUESTS * PROCESSES;
  const delta = {};
  for (const [cmd, calls] of Object.entries(after)) {
    const d = calls - (before[cmd] ?? 0);
    if (d > 0 && cmd !== 'info') delta[cmd] = d;
  }
  const CLIENT_COMMANDS =
    /^(evalsha|eval|evalsha_ro|eval_ro|script\|load|zrem|ping|client\|setname|psubscribe|ssubscribe|subscribe|select|hello|hgetall)$/;
  const clientCommands = Object.entries(delta)
    .filter(([cmd]) => CLIENT_COMMANDS.test(cmd))
    .reduce((n, [, d]) => n + d, 0);
  const allCommands = Object.values(delta).reduce((n, d) => n + d, 0);
  const levels = Object.fromEntries(names.map((name) => [name, samples[name].map(median)]));
  return {
    rounds: ROUNDS,
    processes: PROCESSES,
    requests: REQUESTS,
    concurrency: CONCURRENCY,
    memoryRps: median(levels.memory),
    redisRps: median(levels.redis),
    controlRps: median(levels.control),
    ratio: median(levels.redis) / median(levels.memory),
    ratioSe: bootstrapRatioSe(levels.redis, levels.memory, median),
    controlRatio: median(levels.control) / median(levels.memory),
    controlSe: bootstrapRatioSe(levels.control, levels.memory, median),
    levelsRps: levels,
    samplesRps: samples,
    redisCalls,
    commandDelta: delta,
    clientCommandsPer1000: (clientCommands * 1000) / redisCalls,
    allCommandsPer1000: (allCommands * 1000) / redisCalls,
  };
}

/** A committed transition (CAS script, published by the script) until B's breaker applies it. */
async function measureStorePropagation(redisUrl, keyPrefix, store) {
  const ROUNDS = quick ? 100 : 500;
  const NAME = 'bench-host';
  const child = fork(SELF, ['follower', redisUrl, keyPrefix, NAME]);
  children.add(child);
  const next = () => nextMessage(child, 'the follower process').then(([m]) => m);
  await next(); // ready
  const latencies = [];
  let epoch = 0;
  let rejectedWhenOpen = 0;
  let opens = 0;
  for (let i = 0; i < ROUNDS + 20; i++) {
    const state = i % 2 === 0 ? 'forced_open' : 'closed';
    const heard = next();
    const sentAt = nowMs();
    const r = await store.transition(NAME, {
      expectedEpoch: epoch,
      state,
      reason: state === 'closed' ? 'reset' : 'forced_open',
    });
    if (r === undefined || !r.committed) throw new Error(`transition ${i} not committed`);
    epoch = r.current.epoch;
    const m = await heard;
    if (m.to !== state) throw new Error(`follower applied ${m.to}, expected ${state}`);
    if (state === 'forced_open') {
      opens++;
      if (m.rejects) rejectedWhenOpen++;
    }
    if (i >= 20) latencies.push(m.at - sentAt); // the first 20 warm up connections and JIT
  }
  child.send('stop');
  await once(child, 'exit');
  return { samples: latencies.length, ...stats(latencies), rejectedWhenOpen, opens };
}

/**
 * End to end: two apps under --require register share Redis; the upstream fails for A only. A
 * calls until its breaker opens (its window crosses the rate; the flush trips the fleet); the time
 * from A's open to B's breaker being open is the sample; B's next call must be rejected without
 * reaching the upstream (B never saw a failure). Then the fleet is reset and it starts over.
 */
async function measureHttpPropagation(redisUrl, keyPrefix, store) {
  const TRIPS = quick ? 20 : 50;
  const counts = new Map();
  const upstream = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const member = String(req.headers['x-member']);
    counts.set(member, (counts.get(member) ?? 0) + 1);
    res.writeHead(member === 'A' ? 500 : 200).end();
  });
  upstream.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const host = `127.0.0.1:${upstream.address().port}`;
  const env = {
    PATH: process.env.PATH,
    TARGET_URL: `http://${host}/`,
    CIRCUIT_BREAKER_HOSTS: host,
    CIRCUIT_BREAKER_REDIS_URL: redisUrl,
    CIRCUIT_BREAKER_REDIS_KEY_PREFIX: keyPrefix,
    CIRCUIT_BREAKER_FAILURE_THRESHOLD: '0',
    CIRCUIT_BREAKER_FAILURE_RATE_THRESHOLD: '0.5',
    CIRCUIT_BREAKER_MINIMUM_CALLS: '5',
    CIRCUIT_BREAKER_OPEN_SECONDS: '60',
    CIRCUIT_BREAKER_JITTER_RATIO: '0',
    OTEL_SDK_DISABLED: 'true',
  };
  const a = await startChild('member', { ...env, MEMBER: 'A' });
  const b = await startChild('member', { ...env, MEMBER: 'B' });
  const inbox = (child) => {
    const messages = [];
    child.on('message', (m) => messages.push(m));
    return messages;
  };
  const fromA = inbox(a);
  const fromB = inbox(b);
  const waitFor = async (list, match, what) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const i = list.findIndex(match);
      if (i >= 0) return list.splice(0, i + 1)[i];
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(list)}`);
      await new Promise((r) => setTimeout(r, 1));
    }
  };
  // Let both connect and pull the (closed) fleet state before the first trip.
  await new Promise((r) => setTimeout(r, 300));
  const latencies = [];
  let rejectedWithoutSending = 0;
  for (let i = 0; i < TRIPS + 3; i++) {
    fromA.length = 0;
    fromB.length = 0;
    a.send({ op: 'trip' });
    const aOpen = await waitFor(fromA, (m) => m.type === 'transition' && m.to === 'open', 'A open');
    const bOpen = await waitFor(
      fromB,
      (m) => m.type === 'transition' && m.to === 'open' && m.reason === 'remote',
      'B open (remote)',
    );
    await waitFor(fromA, (m) => m.type === 'tripped', 'A done');
    const sentByB = counts.get('B') ?? 0;
    b.send({ op: 'call' });
    const called = await waitFor(fromB, (m) => m.type === 'called', 'B call');
    if (called.outcome === 'rejected' && (counts.get('B') ?? 0) === sentByB)
      rejectedWithoutSending++;
    if (i >= 3) latencies.push(bOpen.at - aOpen.at); // the first trips warm up
    // Reset the fleet (as an operator would) and wait until both instances are closed again.
    const s = await store.read(host);
    await store.transition(host, { expectedEpoch: s.epoch, state: 'closed', reason: 'reset' });
    await waitFor(fromA, (m) => m.type === 'transition' && m.to === 'closed', 'A closed');
    await waitFor(fromB, (m) => m.type === 'transition' && m.to === 'closed', 'B closed');
    if (i < 3) rejectedWithoutSending = 0;
  }
  // B's call after each trip while still open: counted over the measured trips only.
  for (const c of [a, b]) c.send({ op: 'exit' });
  upstream.closeAllConnections();
  upstream.close();
  return { samples: latencies.length, ...stats(latencies), rejectedWithoutSending };
}

// ---- helpers --------------------------------------------------------------------------------------

function progress(line) {
  process.stderr.write(`bench:redis ${line}\n`);
}

function stats(latencies) {
  return {
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: Math.max(...latencies),
    latenciesMs: latencies,
  };
}

async function startChild(role, env) {
  const execArgv = role === 'follower' ? [] : ['--require', REGISTER];
  const child = fork(SELF, [role], {
    env,
    execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.add(child);
  await nextMessage(child, `the ${role} process`); // ready
  return child;
}

/** `cmdstat_<name>:calls=N,...` of INFO commandstats, as {name: N}. */
async function commandStats(client) {
  const info = await client.info('commandstats');
  const out = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out[m[1]] = Number(m[2]);
  return out;
}

async function freePort() {
  const s = createNetServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** Own redis-server on a free port when installed (exact command counts), else REDIS_URL. */
async function startRedis() {
  const installed = spawnSync('redis-server', ['--version']).status === 0;
  if (!installed || process.env.REDIS_URL !== undefined) {
    return {
      url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      own: false,
      stop: async () => {},
    };
  }
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const { Redis } = require('ioredis');
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => 50 });
  probe.on('error', () => {});
  await probe.connect().catch(() => {});
  await probe.ping();
  probe.disconnect();
  return {
    url: `redis://127.0.0.1:${port}`,
    own: true,
    stop: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}

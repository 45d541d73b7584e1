// npm run bench:redis (propagation part): how long a transition committed by instance A takes to
// reach a breaker in instance B, another process with its own Redis connections (issue 7 §10).
// Target: p99 < 50 ms. Uses REDIS_URL or 127.0.0.1:6379 with a unique key prefix (nothing flushed).
// The fetch RedisStore-vs-MemoryStore throughput part needs the transports (auto-instrumentation);
// it is to be added here once they land.
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { environment, fmt, percentile, printTable, Targets, writeResults } from './lib/harness.mjs';

const require = createRequire(import.meta.url);
const { BreakerRegistry } = require('../dist/cjs/index.js');
const { RedisStore, SharedStateSync } = require('../dist/cjs/store/index.js');

const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const quick = process.env.BENCH_QUICK === '1';
const ROUNDS = quick ? 100 : 500;
const NAME = 'bench-host';
const nowMs = () => performance.timeOrigin + performance.now();

if (process.argv[2] === 'follower') {
  // Instance B: a registry linked to the store; reports when its breaker applies a remote transition.
  const keyPrefix = process.argv[3];
  const registry = new BreakerRegistry();
  const store = new RedisStore({ url, keyPrefix, connectionName: 'bench-b' });
  await store.whenReady();
  const sync = new SharedStateSync(store, {
    flushIntervalMs: 60_000,
    resyncIntervalMs: 60_000,
  }).attach(registry);
  const breaker = registry.get(NAME);
  sync.track(breaker);
  breaker.onTransition((t) => {
    if (t.reason === 'remote')
      process.send({ at: nowMs(), to: t.to, rejects: breaker.canRequest() === null });
  });
  await store.whenSubscribed();
  process.send({ ready: true });
  process.on('message', async (m) => {
    if (m === 'stop') {
      sync.detach();
      await store.close();
      process.exit(0);
    }
  });
} else {
  const keyPrefix = `cbbench:${process.pid}:${Date.now()}`;
  const child = fork(fileURLToPath(import.meta.url), ['follower', keyPrefix]);
  const next = () => new Promise((resolve) => child.once('message', resolve));
  await next(); // ready
  const store = new RedisStore({ url, keyPrefix, connectionName: 'bench-a' });
  await store.whenReady();
  const latencies = [];
  let epoch = 0;
  let rejectedWhenOpen = 0;
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
    if (state === 'forced_open' && m.rejects) rejectedWhenOpen++;
    if (i >= 20) latencies.push(m.at - sentAt); // the first 20 warm up connections and JIT
  }
  child.send('stop');
  await store.close();
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  printTable(
    `Propagation A → B (separate processes, ${latencies.length} transitions, Redis ${store.redisVersion})`,
    ['metric', 'ms'],
    [
      ['p50', fmt(p50, 2)],
      ['p99', fmt(p99, 2)],
      ['max', fmt(Math.max(...latencies), 2)],
    ],
  );
  const targets = new Targets();
  targets.check('propagation p99', p99 < 50, `${fmt(p99, 2)} ms (target < 50 ms)`);
  targets.check(
    'B rejects once open',
    rejectedWhenOpen === Math.ceil((ROUNDS + 20) / 2),
    `${rejectedWhenOpen} of ${Math.ceil((ROUNDS + 20) / 2)}`,
  );
  targets.finish();
  writeResults(new URL('./results/redis.json', import.meta.url).pathname, {
    environment: environment(),
    redisVersion: store.redisVersion,
    propagation: {
      samples: latencies.length,
      p50Ms: p50,
      p99Ms: p99,
      maxMs: Math.max(...latencies),
    },
    passed: targets.failures.length === 0,
  });
}

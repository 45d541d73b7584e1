// node examples/redis-fleet/run.mjs — two replicas of an app share circuit breaker state through
// Redis (REDIS_URL, default redis://127.0.0.1:6379). The upstream is healthy for 3 s, then fails.
// Replica a is busy (a call every 50 ms) and trips the circuit on its failures; replica b is quiet
// (a call every 700 ms): far too few calls to ever reach minimumCalls on its own, yet its breaker
// opens as soon as a's does, learned from Redis, and its next calls are rejected without being
// sent. Exits by itself after ~10 s, printing ok/FAIL per check: 0 when b was protected that way.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startFlakyUpstream } from '../demo/flaky-upstream.mjs';
import { finish } from '../support/harness.mjs';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const seconds = Number(process.env.RUN_SECONDS ?? 9);

await ensureRedis(redisUrl);
const upstream = await startFlakyUpstream([
  [3_000, 200], // healthy
  [Infinity, 503], // failing from t=3s on
]);
const host = `127.0.0.1:${upstream.port}`;
// A prefix of this run only: a second run does not see the circuit this one opened.
const keyPrefix = `example-fleet-${process.pid}`;
console.log(`upstream   http://${host}  healthy for 3 s, then 503`);
console.log(`redis      ${redisUrl.replace(/\/\/[^@]*@/, '//')}  key prefix ${keyPrefix}`);
console.log(
  'replicas   a: a call every 50 ms   b: a call every 700 ms   (same app, same config)\n',
);

const app = fileURLToPath(new URL('./app.cjs', import.meta.url));
const summaries = {};
function replica(name, gapMs, verbose) {
  const child = spawn(process.execPath, ['--require', 'otel-circuit-breaker/register', app], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: {
      ...process.env,
      REPLICA: name,
      GAP_MS: String(gapMs),
      VERBOSE: verbose ? '1' : '0',
      RUN_SECONDS: String(seconds),
      UPSTREAM_URL: `http://${host}/v1/quote`,
      CIRCUIT_BREAKER_HOSTS: host,
      CIRCUIT_BREAKER_REDIS_URL: redisUrl,
      CIRCUIT_BREAKER_REDIS_KEY_PREFIX: keyPrefix,
      CIRCUIT_BREAKER_REDIS_FLUSH_INTERVAL_MS: '200',
      // Trip on the failure rate over a short window (fleet-wide once flushed), no jitter.
      CIRCUIT_BREAKER_FAILURE_THRESHOLD: '0',
      CIRCUIT_BREAKER_FAILURE_RATE_THRESHOLD: '0.5',
      CIRCUIT_BREAKER_MINIMUM_CALLS: '10',
      CIRCUIT_BREAKER_WINDOW_SECONDS: '2',
      CIRCUIT_BREAKER_OPEN_SECONDS: '30',
      CIRCUIT_BREAKER_JITTER_RATIO: '0',
      // Metrics are not the point here (two replicas would want two Prometheus ports).
      OTEL_SDK_DISABLED: 'true',
    },
  });
  let buffer = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buffer += chunk;
    let i;
    while ((i = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      if (line.startsWith('SUMMARY ')) summaries[name] = JSON.parse(line.slice(8));
      else console.log(line);
    }
  });
  return new Promise((resolve) => child.on('exit', resolve));
}

const codes = await Promise.all([replica('a', 50, false), replica('b', 700, true)]);
await upstream.close();
const a = summaries.a ?? {};
const b = summaries.b ?? {};
console.log(`\nreplica a: ok=${a.ok} failed=${a.failed} rejected=${a.rejected}`);
console.log(`replica b: ok=${b.ok} failed=${b.failed} rejected=${b.rejected}`);
const protectedByFleet = b.openedBy === 'remote' && b.rejected > 0;
console.log(
  protectedByFleet
    ? `b's circuit was opened by a's failures, through Redis: b sent ${b.failed} failing call(s) instead of ${b.failed + b.rejected}.`
    : 'b was not protected by the fleet (is Redis reachable?)',
);
finish({
  'both replicas exited 0': codes.every((c) => c === 0),
  "b's circuit was opened from Redis (reason remote), not by its own calls":
    b.openedBy === 'remote',
  'b rejected calls without sending them': b.rejected > 0,
});

/** Fails fast with a clear message when nothing listens at the Redis URL. */
async function ensureRedis(url) {
  const u = new URL(url);
  const ok = await new Promise((resolve) => {
    const socket = connect(Number(u.port || 6379), u.hostname);
    socket.setTimeout(2000);
    socket.once('connect', () => resolve(true));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => resolve(false));
  }).finally?.(() => {});
  if (!ok) {
    console.error(
      `No Redis at ${u.host}: start one (e.g. docker run -p 6379:6379 redis:7) or set REDIS_URL.`,
    );
    process.exit(1);
  }
}

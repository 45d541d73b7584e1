// Multi-process fault test: Redis is killed with SIGKILL under load for 5 s, then
// restarted empty (no persistence). Two app processes under --require register keep calling a
// loopback upstream the whole time. The test's own redis-server: the shared one is never touched.
import { afterAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/store/redis-store.js';
import { eventually, OwnRedis, uniquePrefix } from '../store/redis-harness.js';
import { FlakyUpstream, FleetMember, fleetEnv } from './fleet-harness.js';

const OUTAGE_MS = 5000;
const RESYNC_MS = 1000;
const now = () => performance.timeOrigin + performance.now();
const log = (line: string) => process.stdout.write(`[redis-outage] ${line}\n`);

interface LoadReport {
  counts: { ok: number; upstream: number; rejected: number; other: number };
  other: string[];
}

describe('Redis killed under load, then restarted', () => {
  const cleanup: Array<() => Promise<unknown> | void> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('(c) no store-caused app errors, no unhandled rejections, local protection kept, convergence after restart', async () => {
    const redis = await OwnRedis.start();
    cleanup.push(() => redis.kill());
    const upstream = await FlakyUpstream.start();
    cleanup.push(() => upstream.close());
    const keyPrefix = uniquePrefix('outage');
    const env = fleetEnv(upstream, redis.url, keyPrefix, {
      CIRCUIT_BREAKER_REDIS_RESYNC_INTERVAL_MS: String(RESYNC_MS),
      CIRCUIT_BREAKER_REDIS_STORE_TIMEOUT_MS: '100',
      // Local rule: 3 failures in a row open this instance's breaker, Redis or not.
      CIRCUIT_BREAKER_FAILURE_THRESHOLD: '3',
      CIRCUIT_BREAKER_MINIMUM_CALLS: '1000',
      CIRCUIT_BREAKER_OPEN_SECONDS: '60',
    });
    const a = await FleetMember.start('A', env);
    const b = await FleetMember.start('B', env);
    cleanup.push(
      () => a.kill(),
      () => b.kill(),
    );
    const loadA = a.send({ op: 'load', gapMs: 2 });
    const loadB = b.send({ op: 'load', gapMs: 2 });
    await new Promise((r) => setTimeout(r, 500));

    await redis.kill();
    const killedAt = now();
    log(`redis-server on ${redis.port} killed with SIGKILL under load`);
    // During the outage A's upstream starts failing: A must still protect itself on local state.
    upstream.set('fail', 'A');
    const localOpen = await a.waitFor(
      (m) => m.type === 'transition' && m.to === 'open' && m.reason !== 'remote',
      'A opens on local failures while Redis is down',
    );
    log(
      `A opened on its own failures during the outage (${String(localOpen.reason)}) ${((localOpen.at as number) - killedAt).toFixed(0)} ms after the kill`,
    );
    const sentByAWhenOpen = upstream.requests('A');
    await new Promise((r) => setTimeout(r, Math.max(0, killedAt + OUTAGE_MS - now())));
    expect(upstream.requests('A')).toBe(sentByAWhenOpen); // A rejected locally the whole time

    await redis.start();
    const restartedAt = now();
    log(`redis-server restarted empty after ${(restartedAt - killedAt).toFixed(0)} ms`);
    const bOpen = await b.waitFor(
      (m) => m.type === 'transition' && m.to === 'open' && m.reason === 'remote',
      'B applies the open A pushed after the restart',
      15_000,
    );
    const convergedMs = (bOpen.at as number) - restartedAt;
    const store = new RedisStore({ url: redis.url, keyPrefix, connectionName: 'outage-test' });
    cleanup.push(() => store.close());
    await store.whenReady();
    await eventually(async () => (await store.read(upstream.host))?.state === 'open', 'Redis open');
    log(
      `converged: Redis holds A's open again and B applied it ${convergedMs.toFixed(0)} ms after the restart (resync interval ${RESYNC_MS} ms, reconnect back-off <= 1000 ms)`,
    );
    const sentByB = upstream.requests('B');
    await new Promise((r) => setTimeout(r, 200));
    expect(upstream.requests('B')).toBe(sentByB); // B now rejects without sending

    a.send({ op: 'stop', id: loadA });
    b.send({ op: 'stop', id: loadB });
    const [ra, rb] = (await Promise.all([
      a.waitFor((m) => m.type === 'calls' && m.id === loadA, 'A load report'),
      b.waitFor((m) => m.type === 'calls' && m.id === loadB, 'B load report'),
    ])) as unknown as LoadReport[];
    log(`A calls: ${JSON.stringify(ra!.counts)}`);
    log(`B calls: ${JSON.stringify(rb!.counts)}`);
    // Every error the apps saw was the upstream's or a CircuitOpenError: none came from the store.
    expect(ra!.other).toEqual([]);
    expect(rb!.other).toEqual([]);
    expect(ra!.counts.other + rb!.counts.other).toBe(0);
    expect(rb!.counts.upstream).toBe(0);
    expect(ra!.counts.rejected).toBeGreaterThan(0);
    expect(rb!.counts.rejected).toBeGreaterThan(0);
    // Both ran with --unhandled-rejections=strict: exit code 0 means none happened.
    const codes = [await a.exit(), await b.exit()];
    log(`exit codes (--unhandled-rejections=strict): A=${codes[0]} B=${codes[1]}`);
    expect(codes).toEqual([0, 0]);
    expect(a.stderr.join('') + b.stderr.join('')).not.toMatch(/Unhandled|ERR_UNHANDLED/i);
  });
});

// `otel-circuit-breaker --redis <url>`: the built CLI as a child process, reading and changing the
// fleet straight from the shared Redis (under a key prefix of its own), with one app process
// following the changes.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { SHARED_REDIS_URL, uniquePrefix } from '../store/redis-harness.js';
import { FlakyUpstream, FleetMember, fleetEnv, REPO_ROOT } from './fleet-harness.js';

const CLI = join(REPO_ROOT, 'dist/cjs/cli/main.js');

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr }),
    );
  });
}

describe('CLI --redis: the fleet straight from Redis', () => {
  const keyPrefix = uniquePrefix('cli');
  let store: RedisStore;
  let upstream: FlakyUpstream;
  let app: FleetMember;
  const redisArgs = () => ['--redis', SHARED_REDIS_URL, '--key-prefix', keyPrefix];

  beforeAll(async () => {
    upstream = await FlakyUpstream.start();
    store = new RedisStore({ url: SHARED_REDIS_URL, keyPrefix, connectionName: 'cli-test' });
    await store.whenReady();
    // One breaker the fleet has open, one that only counted calls so far.
    await store.transition('api.example.com', {
      expectedEpoch: 0,
      state: 'open',
      openMs: 60_000,
      reason: 'fleet_failure_rate',
    });
    await store.flush('agent:researcher', {
      calls: 4,
      failures: 1,
      slowCalls: 0,
      windowMs: 60_000,
      windowBuckets: 10,
      minimumCalls: 10,
      failureRateThreshold: 0.5,
      slowCallRateThreshold: 0,
      openMs: 30_000,
    });
    app = await FleetMember.start('app', fleetEnv(upstream, SHARED_REDIS_URL, keyPrefix));
    await app.request({ op: 'call', n: 1 });
  });
  afterAll(async () => {
    expect(await app?.exit()).toBe(0);
    await store?.close();
    await upstream?.close();
  });

  it('status lists every breaker of the fleet with its fleet state', async () => {
    // The app's breaker exists in Redis once it flushed a call. Counts flushed before the app's
    // store first connected are dropped like any failed flush: call again until one lands.
    let r: CliRun;
    for (;;) {
      r = await cli([...redisArgs(), 'status']);
      if (r.stdout.includes(upstream.host) || r.code !== 0) break;
      await app.request({ op: 'call', n: 1 });
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(r.code).toBe(EXIT.OK);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATE/);
    expect(r.stdout).toMatch(/api\.example\.com\s+open/);
    expect(r.stdout).toMatch(/agent:researcher\s+closed/);
    expect(r.stdout).toContain(upstream.host);
    expect(lines.at(-1)).toContain(
      `3 breakers, 1 open (fleet-wide) - ${SHARED_REDIS_URL} (key prefix ${keyPrefix})`,
    );

    const json = await cli([...redisArgs(), 'status', '--json']);
    const snapshot = JSON.parse(json.stdout) as {
      scope: string;
      fleetOnly: Array<{ name: string; state: string; callsInWindow?: number }>;
    };
    expect(snapshot.scope).toBe('fleet');
    expect(snapshot.fleetOnly.find((v) => v.name === 'agent:researcher')).toMatchObject({
      state: 'closed',
      callsInWindow: 4,
    });
    expect((await cli([...redisArgs(), 'status', '--fail-on-open'])).code).toBe(EXIT.BREAKER_OPEN);
  });

  it('open, reset, disable and enable apply to the whole fleet (the app follows)', async () => {
    const from = app.messages.length;
    const open = await cli([...redisArgs(), 'open', upstream.host]);
    expect(open.code).toBe(EXIT.OK);
    expect(open.stdout).toContain(`${upstream.host} forced open (whole fleet)`);
    expect(await store.read(upstream.host)).toMatchObject({ state: 'forced_open' });
    await app.waitFor(
      (m) => m.type === 'transition' && m.to === 'forced_open',
      'app forced open',
      10_000,
      from,
    );
    const sent = upstream.requests();
    expect((await app.request({ op: 'call', n: 1 })).outcomes).toMatchObject([
      { outcome: 'rejected' },
    ]);
    expect(upstream.requests()).toBe(sent);

    expect((await cli([...redisArgs(), 'reset', upstream.host])).code).toBe(EXIT.OK);
    await app.waitFor(
      (m) => m.type === 'transition' && m.to === 'closed',
      'app closed',
      10_000,
      from,
    );
    expect((await app.request({ op: 'call', n: 1 })).outcomes).toMatchObject([{ outcome: 'ok' }]);

    expect((await cli([...redisArgs(), 'disable', 'api.example.com'])).code).toBe(EXIT.OK);
    expect(await store.read('api.example.com')).toMatchObject({ state: 'disabled' });
    expect((await cli([...redisArgs(), 'enable', 'api.example.com'])).code).toBe(EXIT.OK);
    expect(await store.read('api.example.com')).toMatchObject({
      state: 'closed',
      reason: 'enabled',
    });
  });

  it('an unknown name exits 4 and writes nothing; the prefix comes from the env var too', async () => {
    const r = await cli(['--redis', SHARED_REDIS_URL, 'open', 'never-seen.example'], {
      CIRCUIT_BREAKER_REDIS_KEY_PREFIX: keyPrefix,
    });
    expect(r.code).toBe(EXIT.NOT_FOUND);
    expect(await store.read('never-seen.example')).toMatchObject({ state: 'closed', epoch: 0 });
    const watch = await cli([...redisArgs(), 'watch', '--count', '1']);
    expect(watch.code).toBe(EXIT.OK);
    expect(watch.stdout).toContain('api.example.com');
  });
});

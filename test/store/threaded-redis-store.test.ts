// The Redis store with its connections in a worker thread: what the app's thread keeps (no ioredis),
// what a NODE_OPTIONS preload does in the store's thread (nothing), and a worker that dies.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/store/redis-store.js';
import type { StoreLogEvent } from '../../src/store/state-store.js';
import { ThreadedRedisStore } from '../../src/store/threaded-redis-store.js';
import { REPO_ROOT } from '../fleet/fleet-harness.js';
import { SHARED_REDIS_URL, uniquePrefix } from './redis-harness.js';

const REGISTER = join(REPO_ROOT, 'dist/cjs/register.js');
const ESM_REGISTER = pathToFileURL(join(REPO_ROOT, 'dist/esm/register.mjs')).href;
const APP = join(REPO_ROOT, 'test/store/fixtures/store-thread-app.cjs');
const HOST = 'threaded.example.invalid:443';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runApp(env: Record<string, string>, args: string[]): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...args, APP], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', OTEL_SDK_DISABLED: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const limit = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', fail);
    child.on('exit', (code) => {
      clearTimeout(limit);
      done({ code, stdout, stderr });
    });
  });
}

/** Forces HOST open in the fleet under `prefix`, as an operator would before the app starts. */
async function forceOpenInFleet(prefix: string): Promise<void> {
  const store = new RedisStore({ url: SHARED_REDIS_URL, keyPrefix: prefix });
  try {
    await store.whenReady();
    const r = await store.transition(HOST, {
      expectedEpoch: 0,
      state: 'forced_open',
      reason: 'forced_open',
    });
    expect(r?.committed).toBe(true);
  } finally {
    await store.close();
  }
}

describe('an app preloading the Redis store', () => {
  const preloads = {
    '--require': { args: ['--require', REGISTER], env: {} },
    'NODE_OPTIONS=--require': { args: [], env: { NODE_OPTIONS: `--require ${REGISTER}` } },
    'NODE_OPTIONS=--import': { args: [], env: { NODE_OPTIONS: `--import ${ESM_REGISTER}` } },
  };
  for (const [how, preload] of Object.entries(preloads)) {
    it(`keeps ioredis out of its own thread and starts the library once (${how})`, async () => {
      const prefix = uniquePrefix('thread');
      await forceOpenInFleet(prefix);
      const env = {
        CIRCUIT_BREAKER_HOSTS: HOST,
        CIRCUIT_BREAKER_REDIS_URL: SHARED_REDIS_URL,
        CIRCUIT_BREAKER_REDIS_KEY_PREFIX: prefix,
        ...preload.env,
      };
      const run = await runApp(env, preload.args);
      expect(run.code).toBe(0);
      // The fleet state arrived through the store's thread; this thread never loaded ioredis.
      expect(JSON.parse(run.stdout)).toEqual({ state: 'forced_open', ioredisHere: false });
      // A preload in NODE_OPTIONS runs in every worker thread: in the store's it starts nothing.
      expect(run.stderr.match(/otel-circuit-breaker \S+: protecting/g)).toHaveLength(1);
    }, 30_000);
  }
});

describe('an app that may not start worker threads', () => {
  it('runs, with the Redis store on its own thread (permission model without --allow-worker)', async () => {
    const prefix = uniquePrefix('no-worker');
    await forceOpenInFleet(prefix);
    const run = await runApp(
      {
        CIRCUIT_BREAKER_HOSTS: HOST,
        CIRCUIT_BREAKER_REDIS_URL: SHARED_REDIS_URL,
        CIRCUIT_BREAKER_REDIS_KEY_PREFIX: prefix,
      },
      ['--permission', '--allow-fs-read=*', '--require', REGISTER],
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ state: 'forced_open', ioredisHere: true });
  }, 30_000);
});

describe('ThreadedRedisStore whose worker thread dies', () => {
  it('answers every call as an unreachable store would, reports it once, and closes', async () => {
    const events: StoreLogEvent[] = [];
    const store = new ThreadedRedisStore(
      join(REPO_ROOT, 'test/store/fixtures/exiting-store-worker.cjs'),
      { url: SHARED_REDIS_URL, keyPrefix: uniquePrefix('dead'), log: (e) => events.push(e) },
    );
    expect(await store.read('x')).toBeUndefined();
    expect(await store.acquirePermit('x', 1, 1000)).toBeNull();
    expect(await store.changes()).toBeUndefined();
    expect(
      await store.transition('x', { expectedEpoch: 0, state: 'open', openMs: 1000, reason: 'x' }),
    ).toBeUndefined();
    expect(store.health()).toEqual({ available: false, errors: 1, store: 'redis' });
    expect(events.map((e) => e.event)).toEqual(['store.unavailable']);
    await store.close();
    expect(await store.read('x')).toBeUndefined();
  });

  it('ends its worker thread on close; later calls answer as unreachable', async () => {
    const store = new ThreadedRedisStore(join(REPO_ROOT, 'dist/cjs/store/redis-store-worker.js'), {
      url: SHARED_REDIS_URL,
      keyPrefix: uniquePrefix('closing'),
    });
    await store.whenReady();
    expect(store.redisVersion).toMatch(/^\d+\.\d+/);
    expect(await store.read('x')).toMatchObject({ state: 'closed', epoch: 0 });
    await store.close();
    expect(await store.read('x')).toBeUndefined();
    expect(await store.acquirePermit('x', 1, 1000)).toBeNull();
  });
});

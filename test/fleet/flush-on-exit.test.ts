// An app that trips a breaker in its first milliseconds, before Redis has answered, and then ends:
// the fleet must still hear about it, and the app must end as it would without the library.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/store/redis-store.js';
import { REPO_ROOT } from './fleet-harness.js';
import { OwnRedis, uniquePrefix } from '../store/redis-harness.js';

const APP = join(REPO_ROOT, 'test/fleet/fixtures/early-trip-app.cjs');
const REGISTER = join(REPO_ROOT, 'dist/cjs/register.js');

/** A loopback port nothing listens on: every call to it is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

interface Ended {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
}

function runApp(env: Record<string, string>, afterStart?: (pid: number) => void): Promise<Ended> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--require', REGISTER, APP], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    // Generous bound: the app has nothing to wait for but its last store write (storeTimeoutMs).
    const limit = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (stdout.includes('failed') && afterStart !== undefined && child.pid !== undefined) {
        afterStart(child.pid);
        afterStart = undefined;
      }
    });
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      clearTimeout(limit);
      done({ code, signal, stdout });
    });
  });
}

describe('a trip before the store connected reaches Redis when the app ends', () => {
  let redis: OwnRedis;
  beforeAll(async () => {
    redis = await OwnRedis.start();
  });
  afterAll(async () => {
    await redis?.kill();
  });

  async function scenario(
    mode: 'end' | 'serve',
  ): Promise<{ ended: Ended; name: string; prefix: string }> {
    const port = await closedPort();
    const name = `127.0.0.1:${port}`;
    const prefix = uniquePrefix(`early-${mode}`);
    // Redis is busy while the app starts and makes its call (a few hundred ms; seconds on a loaded
    // machine): the store cannot be ready when the breaker trips.
    const busy = redis.cli('debug', 'sleep', '4');
    const ended = await runApp(
      {
        APP_MODE: mode,
        TARGET_URL: `http://${name}/`,
        CIRCUIT_BREAKER_HOSTS: name,
        CIRCUIT_BREAKER_FAILURE_THRESHOLD: '1',
        CIRCUIT_BREAKER_OPEN_SECONDS: '300',
        CIRCUIT_BREAKER_REDIS_URL: redis.url,
        CIRCUIT_BREAKER_REDIS_KEY_PREFIX: prefix,
        CIRCUIT_BREAKER_REDIS_STORE_TIMEOUT_MS: '10000',
      },
      mode === 'serve' ? (pid) => process.kill(pid, 'SIGTERM') : undefined,
    );
    await busy;
    return { ended, name, prefix };
  }

  async function fleetState(prefix: string, name: string) {
    const store = new RedisStore({ url: redis.url, keyPrefix: prefix });
    try {
      await store.whenReady();
      return await store.read(name);
    } finally {
      await store.close();
    }
  }

  it('an app whose work is done exits by itself, after writing the open circuit', async () => {
    const { ended, name, prefix } = await scenario('end');
    expect(ended.stdout).toContain('ECONNREFUSED');
    expect(ended).toMatchObject({ code: 0, signal: null });
    expect(await fleetState(prefix, name)).toMatchObject({ state: 'open' });
  }, 30_000);

  it('an app without a SIGTERM handler still dies of SIGTERM, after writing the open circuit', async () => {
    const { ended, name, prefix } = await scenario('serve');
    expect(ended.stdout).toContain('ECONNREFUSED');
    expect(ended).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(await fleetState(prefix, name)).toMatchObject({ state: 'open' });
  }, 30_000);
});

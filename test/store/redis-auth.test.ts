import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { BreakerRegistry } from '../../src/registry/breaker-registry.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { SharedStateSync } from '../../src/fleet/shared-state-sync.js';
import { runCli } from '../cli/cli-harness.js';
import { eventually, OwnRedis, uniquePrefix } from './redis-harness.js';

const RIGHT = 'right-password-0123';
const WRONG = 'wrong-password-4567';

describe('Redis that refuses the password', () => {
  let redis: OwnRedis;
  const closers: Array<() => unknown> = [];
  beforeAll(async () => {
    redis = await OwnRedis.start({ requirepass: RIGHT });
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });
  afterAll(() => redis?.kill());

  it('the CLI says authentication failed, without the password, instead of "did not answer"', async () => {
    const url = `redis://:${WRONG}@127.0.0.1:${redis.port}`;
    const run = await runCli(['status', '--redis', url, '--timeout', '2000']);
    expect(run.code).toBe(EXIT.UNREACHABLE);
    expect(run.stderr).toContain(`Redis at redis://127.0.0.1:${redis.port}: authentication failed`);
    expect(run.stderr).not.toContain('did not answer');
    expect(run.stderr + run.stdout).not.toContain(WRONG);
  });

  it('once the password is right again, the instance follows the fleet again as fast as after any reconnect', async () => {
    const keyPrefix = uniquePrefix('auth');
    const instance = (password: string) => {
      const registry = new BreakerRegistry({ defaults: { failureThreshold: 0, jitterRatio: 0 } });
      const store = new RedisStore({
        url: `redis://:${password}@127.0.0.1:${redis.port}`,
        keyPrefix,
        storeTimeoutMs: 1000,
      });
      // The periodic resync is an hour away: only pub/sub and reconnect resyncs can tell it in time.
      const sync = new SharedStateSync(store, {
        flushIntervalMs: 3_600_000,
        resyncIntervalMs: 3_600_000,
      }).attach(registry);
      closers.push(
        () => sync.detach(),
        () => store.close(),
      );
      return { registry, store, sync };
    };
    const healthy = instance(RIGHT);
    await healthy.store.whenSubscribed();
    const locked = instance(WRONG);
    const breaker = locked.registry.get('api.example.com');
    locked.sync.track(breaker);
    await eventually(() => locked.store.authRefused, 'the wrong password refused');
    // Long enough for the store to give up waiting for its first connection and subscribe anyway.
    await locked.store.whenReady();
    await new Promise((r) => setTimeout(r, 500));

    // An operator fixes it (here on the server side: its password becomes the one the app has).
    await redis.cli('config', 'set', 'requirepass', WRONG);
    redis.password = WRONG;
    closers.push(async () => {
      await redis.cli('config', 'set', 'requirepass', RIGHT);
      redis.password = RIGHT;
    });
    await eventually(
      () => locked.store.health().available && !locked.store.authRefused,
      'reconnected',
    );

    // An operator opens the circuit on the healthy instance: a fleet-wide change, published.
    const peer = healthy.registry.get('api.example.com');
    healthy.sync.track(peer);
    peer.forceOpen();
    await eventually(
      () => breaker.currentState === 'forced_open',
      'the fleet change applied',
      3_000,
    );
  }, 30_000);
});

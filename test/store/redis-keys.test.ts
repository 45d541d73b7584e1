import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { breakerKeys } from '../../src/store/keys.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { SHARED_REDIS_URL, uniquePrefix } from './redis-harness.js';

const LUA_DIR = join(__dirname, '../../src/store/lua');

describe('Redis keys and scripts', () => {
  const raw = new Redis(SHARED_REDIS_URL);
  afterAll(() => raw.disconnect());

  it('gives every key of one breaker the same hash tag (one cluster slot)', async () => {
    const keys = breakerKeys('cb', 'api.openai.com:443');
    const slots = await Promise.all(
      Object.values(keys).map((k) => raw.cluster('KEYSLOT', k).catch(() => null)),
    );
    // CLUSTER KEYSLOT answers on a non-cluster server too (Redis >= 7); otherwise check the tag text.
    if (slots.every((s) => s !== null)) expect(new Set(slots).size).toBe(1);
    for (const k of Object.values(keys)) expect(k.startsWith('{cb:api.openai.com:443}')).toBe(true);
  });

  it('lets every per-breaker key expire when idle', async () => {
    const keyPrefix = uniquePrefix('ttl');
    const store = new RedisStore({ url: SHARED_REDIS_URL, keyPrefix, storeTimeoutMs: 2000 });
    await store.whenReady();
    // One success flushed before and after the open, so every per-breaker key exists.
    const oneCall = {
      calls: 1,
      failures: 0,
      slowCalls: 0,
      windowMs: 60_000,
      windowBuckets: 10,
      minimumCalls: 5,
      failureRateThreshold: 0.5,
      slowCallRateThreshold: 0,
      openMs: 1000,
    };
    await store.flush('t', oneCall);
    await store.transition('t', {
      expectedEpoch: 0,
      state: 'open',
      openMs: 0,
      reason: 'retry_after',
    });
    await store.flush('t', oneCall);
    await store.acquirePermit('t', 2, 30_000);
    const keys = await raw.keys(`{${keyPrefix}:t}*`);
    const k = breakerKeys(keyPrefix, 't');
    expect(keys.sort()).toEqual([k.permits, k.state, k.window].sort());
    for (const k of keys) expect(await raw.pttl(k)).toBeGreaterThan(0);
    await store.close();
  });

  it('has one script per file named <name>-<numKeys>.lua, each with a KEYS/ARGV header matching its key count', () => {
    for (const file of readdirSync(LUA_DIR)) {
      const m = /^[a-z-]+-(\d+)\.lua$/.exec(file);
      expect(m, file).not.toBeNull();
      const text = readFileSync(join(LUA_DIR, file), 'utf8');
      const header = text.split('\n').filter((l) => l.startsWith('--'));
      const keyLines = header.filter((l) => /^-- KEYS\[\d+\]/.test(l));
      expect(keyLines.length, file).toBe(Number(m![1]));
      expect(
        header.some((l) => /ARGV/.test(l)),
        file,
      ).toBe(true);
      // Every key used is a KEYS entry: no key name is built inside a script.
      expect(text).not.toMatch(/redis\.call\('[A-Z]+',\s*'[^']*[:{]/);
    }
  });
});

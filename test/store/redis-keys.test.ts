import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { CLUSTER_SLOTS, crc16, keySlot } from '../../src/store/key-slot.js';
import {
  breakerKeys,
  hashTag,
  SHARD_COUNT,
  shardKeys,
  shardOf,
  shardTags,
} from '../../src/store/keys.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { SHARED_REDIS_URL, uniquePrefix } from './redis-harness.js';

const LUA_DIR = join(__dirname, '../../src/store/lua');

describe('Redis keys and scripts', () => {
  const raw = new Redis(SHARED_REDIS_URL);
  afterAll(() => raw.disconnect());

  it("gives every key of one breaker and of its shard's change log the same hash tag (one cluster slot)", async () => {
    const name = 'api.openai.com:443';
    const keys = [
      ...Object.values(breakerKeys('cb', name)),
      ...Object.values(shardKeys('cb', shardOf(name))),
    ];
    const slots = await Promise.all(keys.map((k) => raw.cluster('KEYSLOT', k).catch(() => null)));
    // CLUSTER KEYSLOT answers on a non-cluster server too (Redis >= 7); otherwise check the tag text.
    if (slots.every((s) => s !== null)) expect(new Set(slots).size).toBe(1);
    for (const k of keys) expect(k.startsWith(`${hashTag('cb', name)}:`)).toBe(true);
    expect(new Set(keys.map(keySlot)).size).toBe(1);
  });

  it('computes the slot exactly as Redis does', () => {
    // Vectors from the Redis Cluster specification and the CLUSTER KEYSLOT documentation.
    expect(crc16('123456789')).toBe(0x31c3);
    expect(keySlot('somekey')).toBe(11058);
    expect(keySlot('foo{hash_tag}')).toBe(2515);
    expect(keySlot('{hash_tag}bar')).toBe(2515);
    // An empty tag is no tag: the whole key is hashed.
    expect(keySlot('{}x')).toBe(crc16('{}x') % CLUSTER_SLOTS);
  });

  it('places each shard in its own slice of the slot space, and spreads hosts over the shards', () => {
    const width = CLUSTER_SLOTS / SHARD_COUNT;
    for (const prefix of ['cb', 'shop', 'a-much-longer-prefix']) {
      shardTags(prefix).forEach((tag, shard) => {
        expect(Math.floor(keySlot(tag) / width)).toBe(shard);
      });
    }
    const perShard = new Array<number>(SHARD_COUNT).fill(0);
    for (let i = 0; i < 1000; i++) perShard[shardOf(`host-${i}.example.com`)]!++;
    for (const n of perShard) expect(n).toBeGreaterThan(1000 / SHARD_COUNT / 1.5);
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
    const keys = await raw.keys(`${hashTag(keyPrefix, 't')}*`);
    const k = breakerKeys(keyPrefix, 't');
    const log = shardKeys(keyPrefix, shardOf('t'));
    expect(keys.sort()).toEqual([k.permits, k.state, k.window, log.version, log.changes].sort());
    for (const k of keys) expect(await raw.pttl(k)).toBeGreaterThan(0);
    await store.close();
  });

  it('keeps a forced_open or disabled record without a ttl until it is changed', async () => {
    const keyPrefix = uniquePrefix('persist');
    const store = new RedisStore({ url: SHARED_REDIS_URL, keyPrefix, storeTimeoutMs: 2000 });
    await store.whenReady();
    const k = breakerKeys(keyPrefix, 'f');
    await store.transition('f', { expectedEpoch: 0, state: 'forced_open', reason: 'forced_open' });
    expect(await raw.pttl(k.state)).toBe(-1);
    await store.transition('f', { expectedEpoch: 1, state: 'closed', reason: 'reset' });
    expect(await raw.pttl(k.state)).toBeGreaterThan(0);
    await raw.del(k.state, ...Object.values(shardKeys(keyPrefix, shardOf('f'))));
    await store.close();
  });

  it('has one script per file named <name>-<numKeys>.lua, each with a KEYS/ARGV header matching its key count', () => {
    const includes = new Set(readdirSync(join(LUA_DIR, 'include')));
    for (const file of readdirSync(LUA_DIR)) {
      if (file === 'include') continue;
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
      for (const m of text.matchAll(/^-- @include (\S+)$/gm))
        expect(includes.has(`${m[1]}.lua`), `${file} includes ${m[1]}`).toBe(true);
    }
    for (const part of includes) {
      const text = readFileSync(join(LUA_DIR, 'include', part), 'utf8');
      expect(text).not.toMatch(/redis\.call\('[A-Z]+',\s*'[^']*[:{]/);
    }
  });
});

import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisChangeLog } from '../../src/store/fleet-change-log.js';
import { breakerKeys, shardKeys, shardOf } from '../../src/store/keys.js';
import { loadScripts } from '../../src/store/lua-scripts.js';
import { SHARED_REDIS_URL, uniquePrefix } from './redis-harness.js';

describe('the shard change log (transition script + RedisChangeLog)', () => {
  const raw = new Redis(SHARED_REDIS_URL);
  afterAll(() => raw.disconnect());
  const prefix = uniquePrefix('changelog');
  // Names of shard 0 only: every change below lands in one log.
  const names = Array.from({ length: 400 }, (_, i) => `n${i}`)
    .filter((n) => shardOf(n) === 0)
    .slice(0, 12);
  const log = new RedisChangeLog(raw, prefix, false, (fn) => fn().catch(() => undefined));

  /** Commits a forced_open for `name` through the real script, with a log that keeps `max` names. */
  async function change(name: string, max: number): Promise<void> {
    const k = breakerKeys(prefix, name);
    const s = shardKeys(prefix, 0);
    const epoch = Number(await raw.hget(k.state, 'epoch')) || 0;
    const { transition } = loadScripts();
    await raw.eval(
      transition.lua,
      transition.numberOfKeys,
      k.state,
      k.window,
      k.permits,
      k.channel,
      s.version,
      s.changes,
      epoch,
      epoch % 2 === 0 ? 'forced_open' : 'closed',
      0,
      'test',
      'test',
      60_000,
      'PUBLISH',
      name,
      max,
    );
  }

  it('lists the names changed since a mark, and sends a reader whose mark a full log dropped back to the whole shard', async () => {
    const first = await log.look();
    expect(first?.changed(names[0]!)).toBe(true);
    first!.commit();

    await change(names[0]!, 3);
    await change(names[1]!, 3);
    const next = await log.look();
    expect(names.filter((n) => next!.changed(n))).toEqual([names[0], names[1]]);
    next!.commit();

    // Four more names through a log of three: the reader's mark (change 2) is dropped.
    for (const n of names.slice(2, 6)) await change(n, 3);
    const behind = await log.look();
    expect(names.every((n) => behind!.changed(n))).toBe(true);
    behind!.commit();

    // From a mark the log still covers, it is incremental again.
    await change(names[7]!, 3);
    const caughtUp = await log.look();
    expect(names.filter((n) => caughtUp!.changed(n))).toEqual([names[7]]);
    expect(await raw.zcard(shardKeys(prefix, 0).changes)).toBe(3);
    await raw.del(
      ...Object.values(shardKeys(prefix, 0)),
      ...names.flatMap((n) => Object.values(breakerKeys(prefix, n))),
    );
  });
});

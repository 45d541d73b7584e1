import { SHARD_COUNT, shardKeys, shardOf } from './keys.js';
import type { RedisClient } from './redis-connection.js';
import type { FleetChanges } from './state-store.js';

/** Most names a shard's change log keeps; past it the oldest is dropped (its readers re-read the shard). */
export const CHANGE_LOG_MAX_NAMES = 10_000;

type Guarded = <T>(fn: () => Promise<T>) => Promise<T | undefined>;

interface Version {
  /** One life of the log: a new one after it expired or was lost. */
  readonly run: string;
  /** Changes recorded in this run. */
  readonly n: number;
  /** Highest change number dropped from the (full) log: older marks cannot be brought up to date. */
  readonly floor: number;
}

/** A shard version `<run>:<n>:<floor>`; undefined for a missing or unreadable one. */
function parseVersion(version: string | null | undefined): Version | undefined {
  const m = version == null ? null : /^(.+):(\d+):(\d+)$/.exec(version);
  return m === null ? undefined : { run: m[1]!, n: Number(m[2]), floor: Number(m[3]) };
}

/**
 * The change number after which the log still holds every change up to `now`, or undefined when
 * the whole shard must be read: the first look, a different run (the log expired or Redis lost
 * it), a log that went back, or a mark older than what the log dropped. A shard that had no log
 * at the last look is complete from its run's start as long as nothing was dropped.
 */
function resumeAfter(
  firstLook: boolean,
  before: string | null | undefined,
  now: Version | undefined,
): number | undefined {
  if (firstLook || now === undefined) return undefined;
  if (before === null) return now.floor === 0 ? 0 : undefined;
  const mark = parseVersion(before);
  if (mark === undefined || mark.run !== now.run || mark.n > now.n || mark.n < now.floor)
    return undefined;
  return mark.n;
}

/**
 * Reads the shards' change logs that the transition and flush scripts keep (see transition-6.lua)
 * and remembers, per shard, the version this instance last applied. A look costs one MGET on a
 * single node (one GET per shard on Cluster, where shards live in different slots) plus, per shard
 * whose version moved, one ZRANGEBYSCORE of the names changed since.
 */
export class RedisChangeLog {
  /** Version per shard at the last committed look; undefined before the first (read everything). */
  private seen: Array<string | null> | undefined;
  /** Bumped by `forget()`, so a look begun before it cannot commit after it. */
  private generation = 0;

  constructor(
    private readonly client: RedisClient,
    private readonly prefix: string,
    private readonly cluster: boolean,
    private readonly run: Guarded,
  ) {}

  /** The next look reports every breaker (after a reconnect: Redis may have lost data). */
  forget(): void {
    this.seen = undefined;
    this.generation++;
  }

  async look(): Promise<FleetChanges | undefined> {
    const generation = this.generation;
    const keys = Array.from({ length: SHARD_COUNT }, (_, s) => shardKeys(this.prefix, s).version);
    const versions = await this.run(() =>
      this.cluster ? Promise.all(keys.map((k) => this.client.get(k))) : this.client.mget(keys),
    );
    // A reply of another shape (a proxy or a server that is not Redis) counts as no answer.
    if (!isStringList(versions, SHARD_COUNT)) return undefined;
    const seen = this.seen;
    const whole = new Set<number>();
    const since: Array<{ shard: number; after: number }> = [];
    for (let shard = 0; shard < SHARD_COUNT; shard++) {
      const before = seen?.[shard];
      const now = versions[shard] ?? null;
      if (seen !== undefined && before === now) continue;
      const after = resumeAfter(seen === undefined, before, parseVersion(now));
      if (after === undefined) whole.add(shard);
      else since.push({ shard, after });
    }
    const names = new Set<string>();
    if (since.length > 0) {
      const lists = await this.run(() =>
        Promise.all(
          since.map(({ shard, after }) =>
            this.client.zrangebyscore(shardKeys(this.prefix, shard).changes, `(${after}`, '+inf'),
          ),
        ),
      );
      if (lists === undefined || !lists.every((list) => isStringList(list))) return undefined;
      for (const list of lists) for (const name of list) if (name !== null) names.add(name);
    }
    return new ChangeSet(names, whole, () => {
      if (generation === this.generation) this.seen = versions.map((v) => v ?? null);
    });
  }
}

/**
 * One look's answer: the names changed since the last committed look, and the shards to read whole.
 * Plain data besides `commit`, so it can be handed from the store's worker thread to the app's.
 */
export class ChangeSet implements FleetChanges {
  constructor(
    readonly names: ReadonlySet<string>,
    readonly wholeShards: ReadonlySet<number>,
    readonly commit: () => void,
  ) {}

  changed(name: string): boolean {
    return this.names.has(name) || this.wholeShards.has(shardOf(name));
  }
}

/** A Redis array reply of strings (and nils), of `length` entries when given. */
function isStringList(reply: unknown, length?: number): reply is Array<string | null> {
  return (
    Array.isArray(reply) &&
    (length === undefined || reply.length === length) &&
    reply.every((x) => x === null || typeof x === 'string')
  );
}

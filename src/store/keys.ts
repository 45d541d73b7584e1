import { CLUSTER_SLOTS, crc16 } from './key-slot.js';

/**
 * The one place Redis key and channel names are built.
 *
 * Breakers are grouped into SHARD_COUNT shards by name. Every key of every breaker of one shard
 * shares the shard's hash tag, so they live in one Redis Cluster slot and a script may touch a
 * breaker's keys and its shard's change log together: that is what lets a transition record
 * itself in the log atomically, and a resync ask one question per shard instead of one per breaker.
 */

/**
 * Shards per key prefix. On Cluster, a resync reads one key per shard (SHARD_COUNT commands per
 * resyncIntervalMs) and one prefix spreads over at most SHARD_COUNT masters.
 */
export const SHARD_COUNT = 8;

export interface BreakerKeys {
  /** Hash {state, epoch, openedAt, openUntil, reason, origin}. */
  readonly state: string;
  /** Hash of time buckets `<slot>:c|f|s` (calls, failures, slow calls): the fleet-wide window. */
  readonly window: string;
  /** Sorted set of half-open probe permits: member = token, score = expiry (Redis ms). */
  readonly permits: string;
  /** Channel the scripts publish committed transitions on. */
  readonly channel: string;
}

export interface ShardKeys {
  /** String `<run>:<n>`: the log's identity and its number of changes (see transition-6.lua). */
  readonly version: string;
  /** Sorted set of breaker names, scored by the change number of each one's latest transition. */
  readonly changes: string;
}

/** The shard a breaker belongs to: stable across instances, versions and topologies. */
export function shardOf(name: string): number {
  return crc16(name) % SHARD_COUNT;
}

const tagCache = new Map<string, readonly string[]>();

/**
 * The hash tag of every shard under `prefix`, `{<prefix>:s<shard>.<n>}`. `n` is the first number
 * that puts shard k's slot in the middle of the k-th equal slice of the slot space, so the shards
 * spread evenly over masters that own contiguous slot ranges (what `redis-cli --cluster create`
 * and rebalancing produce), instead of wherever a hash happens to land.
 */
export function shardTags(prefix: string): readonly string[] {
  let tags = tagCache.get(prefix);
  if (tags === undefined) {
    tags = Array.from({ length: SHARD_COUNT }, (_, shard) => findTag(prefix, shard));
    tagCache.set(prefix, tags);
  }
  return tags;
}

function findTag(prefix: string, shard: number): string {
  const width = CLUSTER_SLOTS / SHARD_COUNT;
  const low = shard * width + width / 4;
  const high = shard * width + (3 * width) / 4;
  for (let n = 0; ; n++) {
    const tag = `${prefix}:s${shard}.${n}`;
    const slot = crc16(tag) % CLUSTER_SLOTS;
    if (slot >= low && slot < high) return `{${tag}}`;
  }
}

/** The hash tag shared by all keys of the breaker `name` (its shard's tag). */
export function hashTag(prefix: string, name: string): string {
  return shardTags(prefix)[shardOf(name)]!;
}

export function breakerKeys(prefix: string, name: string): BreakerKeys {
  const base = `${hashTag(prefix, name)}:${name}`;
  return {
    state: `${base}:state`,
    window: `${base}:win`,
    permits: `${base}:permits`,
    channel: `${base}:events`,
  };
}

export function shardKeys(prefix: string, shard: number): ShardKeys {
  const tag = shardTags(prefix)[shard]!;
  return { version: `${tag}:version`, changes: `${tag}:changes` };
}

/** Pattern matching every breaker's channel under `prefix` (classic pub/sub, one PSUBSCRIBE). */
export function channelPattern(prefix: string): string {
  return `{${escapeGlob(prefix)}:s*}:*:events`;
}

/** The breaker name a channel belongs to, or undefined if it is not one of ours. */
export function nameFromChannel(prefix: string, channel: string): string | undefined {
  return strip(prefix, channel, ':events');
}

/** SCAN pattern matching one kind of key (`state` or `win`) of every breaker under `prefix`. */
export function keyPattern(prefix: string, kind: 'state' | 'win'): string {
  return `{${escapeGlob(prefix)}:s*}:*:${kind}`;
}

/** The breaker name a key of that kind belongs to, or undefined if it is not one of ours. */
export function nameFromKey(
  prefix: string,
  key: string,
  kind: 'state' | 'win',
): string | undefined {
  return strip(prefix, key, `:${kind}`);
}

/** `<tag>:<name><tail>` -> name, when tag is the name's own shard tag under `prefix`. */
function strip(prefix: string, text: string, tail: string): string | undefined {
  if (!text.endsWith(tail)) return undefined;
  const close = text.indexOf('}:');
  if (close < 0) return undefined;
  const name = text.slice(close + 2, text.length - tail.length);
  if (name === '' || text.slice(0, close + 1) !== hashTag(prefix, name)) return undefined;
  return name;
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

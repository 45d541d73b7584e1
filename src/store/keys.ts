/**
 * The one place Redis key and channel names are built. Every key of one breaker shares the hash
 * tag `{<prefix>:<name>}`, so all of them live in one Redis Cluster slot and a script may touch
 * them together.
 */
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

/** `{<prefix>:<name>}`: the hash tag shared by all keys of one breaker. */
export function hashTag(prefix: string, name: string): string {
  return `{${prefix}:${name}}`;
}

export function breakerKeys(prefix: string, name: string): BreakerKeys {
  const tag = hashTag(prefix, name);
  return {
    state: `${tag}:state`,
    window: `${tag}:win`,
    permits: `${tag}:permits`,
    channel: `${tag}:events`,
  };
}

/** Pattern matching every breaker's channel under `prefix` (classic pub/sub, one PSUBSCRIBE). */
export function channelPattern(prefix: string): string {
  return `{${escapeGlob(prefix)}:*}:events`;
}

/** The breaker name a channel belongs to, or undefined if it is not one of ours. */
export function nameFromChannel(prefix: string, channel: string): string | undefined {
  const head = `{${prefix}:`;
  const tail = '}:events';
  if (!channel.startsWith(head) || !channel.endsWith(tail)) return undefined;
  return channel.slice(head.length, channel.length - tail.length);
}

/** SCAN pattern matching one kind of key (`state` or `win`) of every breaker under `prefix`. */
export function keyPattern(prefix: string, kind: 'state' | 'win'): string {
  return `{${escapeGlob(prefix)}:*}:${kind}`;
}

/** The breaker name a key of that kind belongs to, or undefined if it is not one of ours. */
export function nameFromKey(
  prefix: string,
  key: string,
  kind: 'state' | 'win',
): string | undefined {
  const head = `{${prefix}:`;
  const tail = `}:${kind}`;
  if (!key.startsWith(head) || !key.endsWith(tail)) return undefined;
  return key.slice(head.length, key.length - tail.length);
}

function escapeGlob(s: string): string {
  return s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

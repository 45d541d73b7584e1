import { CHANGE_LOG_MAX_NAMES } from './fleet-change-log.js';
import { breakerKeys, shardKeys, shardOf } from './keys.js';
import { toSharedState } from './redis-replies.js';
import type {
  FlushRequest,
  FlushResult,
  TransitionRequest,
  TransitionResult,
} from './state-store.js';

/** What every write script is told about the client running it (see the scripts' headers). */
export interface ScriptWriter {
  readonly keyPrefix: string;
  readonly instanceId: string;
  readonly stateTtlMs: number;
  /** PUBLISH, or SPUBLISH on a Redis 7 Cluster. */
  readonly publish: 'PUBLISH' | 'SPUBLISH';
}

type ScriptArgs = Array<string | number>;

/** The six keys both write scripts take: the breaker's own four and its shard's change log. */
function writeKeys(w: ScriptWriter, name: string): ScriptArgs {
  const keys = breakerKeys(w.keyPrefix, name);
  const log = shardKeys(w.keyPrefix, shardOf(name));
  return [keys.state, keys.window, keys.permits, keys.channel, log.version, log.changes];
}

/** The ARGV both write scripts end with: who writes, for how long, how to publish, and the change log cap. */
function writerArgs(w: ScriptWriter, name: string): ScriptArgs {
  return [w.instanceId, w.stateTtlMs, w.publish, name, CHANGE_LOG_MAX_NAMES];
}

/** KEYS and ARGV of transition-6.lua. */
export function transitionArgs(w: ScriptWriter, name: string, r: TransitionRequest): ScriptArgs {
  return [
    ...writeKeys(w, name),
    r.expectedEpoch,
    r.state,
    Math.max(0, Math.round(r.openMs ?? 0)),
    r.reason,
    ...writerArgs(w, name),
  ];
}

/** transition-6.lua's reply: `[committed, state, epoch, remaining, reason, origin]`. */
export function transitionResult(reply: unknown[]): TransitionResult {
  return {
    committed: reply[0] === 1,
    current: toSharedState(reply[1], reply[2], reply[3], reply[4], reply[5]),
  };
}

/** KEYS and ARGV of flush-6.lua. */
export function flushArgs(w: ScriptWriter, name: string, r: FlushRequest): ScriptArgs {
  const bucketMs = Math.max(1, Math.floor(r.windowMs / r.windowBuckets));
  return [
    ...writeKeys(w, name),
    r.calls,
    r.failures,
    r.slowCalls,
    bucketMs,
    r.windowBuckets,
    r.minimumCalls,
    r.failureRateThreshold,
    r.slowCallRateThreshold,
    Math.max(0, Math.round(r.openMs)),
    ...writerArgs(w, name),
  ];
}

/** flush-6.lua's reply: `[tripped, calls, failures, slow, state, epoch, remaining, reason, origin]`. */
export function flushResult(reply: unknown[]): FlushResult {
  return {
    tripped: reply[0] === 1,
    calls: Number(reply[1]),
    failures: Number(reply[2]),
    slowCalls: Number(reply[3]),
    current: toSharedState(reply[4], reply[5], reply[6], reply[7], reply[8]),
  };
}

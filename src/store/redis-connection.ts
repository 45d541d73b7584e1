import type * as IORedis from 'ioredis';
import type { Socket } from 'node:net';
import type { Cluster, ClusterOptions, Redis, RedisOptions } from 'ioredis';

/**
 * ioredis, loaded when the first connection is made: a process without a Redis store never holds
 * its ~2 MB of heap (every byte of it is marked by each major GC of the app that loads us).
 */
function ioredis(): typeof IORedis {
  return require('ioredis') as typeof IORedis;
}

/** Where the Redis store connects: exactly one of url, clusterNodes or sentinel. */
export interface RedisTarget {
  /** redis:// or rediss:// URL of a single node. */
  readonly url?: string;
  /** Cluster seed nodes, `host:port`. */
  readonly clusterNodes?: readonly string[];
  readonly sentinel?: { readonly sentinels: readonly string[]; readonly name: string };
}

export type RedisClient = Redis | Cluster;

/**
 * Reconnect forever, backing off to 1 s: returning a delay (never null) keeps ioredis retrying.
 * The cap bounds how long after Redis returns an instance reconciles (one cheap attempt a second).
 */
export function retryDelay(times: number): number {
  return Math.min(50 * 2 ** Math.min(times, 5), 1000);
}

/**
 * Options that keep ioredis from queueing or resending our commands: a command sent while the
 * connection is down fails at once (we fall back to local state) instead of piling up.
 */
const NO_QUEUE: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  retryStrategy: retryDelay,
};

function hostPort(spec: string): { host: string; port: number } {
  const i = spec.lastIndexOf(':');
  if (i < 0) return { host: spec, port: 6379 };
  return { host: spec.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(spec.slice(i + 1)) };
}

export interface ClientRole {
  /** Connection name shown by CLIENT LIST (lets tests and operators find or kill it). */
  readonly connectionName: string;
  /** The subscriber may queue its (re)subscriptions until connected; command clients never queue. */
  readonly subscriber: boolean;
  /** Sharded pub/sub subscriber (Cluster only). */
  readonly sharded?: boolean;
}

/** Creates one connection (or one Cluster client) for `role`. */
export function createClient(target: RedisTarget, role: ClientRole): RedisClient {
  const base: RedisOptions = role.subscriber
    ? {
        retryStrategy: retryDelay,
        maxRetriesPerRequest: 0,
        autoResendUnfulfilledCommands: false,
        enableOfflineQueue: true,
      }
    : { ...NO_QUEUE, enableAutoPipelining: true };
  if (target.clusterNodes !== undefined && target.clusterNodes.length > 0) {
    const { enableOfflineQueue, retryStrategy: _unused, enableAutoPipelining, ...perNode } = base;
    const options: ClusterOptions = {
      // On Cluster the offline queue is a top-level option; the per-node one is ignored.
      enableOfflineQueue,
      enableAutoPipelining,
      clusterRetryStrategy: retryDelay,
      clusterNodeRetryStrategy: retryDelay,
      shardedSubscribers: role.sharded === true,
      redisOptions: { ...perNode, connectionName: role.connectionName },
    };
    return new (ioredis().Cluster)(target.clusterNodes.map(hostPort), options);
  }
  const { Redis: RedisClass } = ioredis();
  if (target.sentinel !== undefined) {
    return new RedisClass({
      ...base,
      connectionName: role.connectionName,
      sentinels: target.sentinel.sentinels.map(hostPort),
      name: target.sentinel.name,
      sentinelRetryStrategy: retryDelay,
    });
  }
  return new RedisClass(target.url ?? 'redis://127.0.0.1:6379', {
    ...base,
    connectionName: role.connectionName,
  });
}

/** `redis_version` from INFO server, e.g. `7.0.15`. */
export function parseRedisVersion(info: string): string | undefined {
  return /^redis_version:([^\r\n]+)/m.exec(info)?.[1]?.trim();
}

/** Major version of a `x.y.z` string (0 when unknown). */
export function majorVersion(version: string | undefined): number {
  return Number(version?.split('.')[0] ?? 0) || 0;
}

/** Redis >= 5: scripts may call TIME before writing (effects replication). */
export const MIN_REDIS_MAJOR = 5;

/** ioredis internals the process-lifetime helpers below touch (stable since ioredis 4). */
interface NodeInternals {
  readonly stream?: Socket;
  readonly reconnectTimeout?: ReturnType<typeof setTimeout> | null;
}

function nodesOf(client: RedisClient): Redis[] {
  return (client as Cluster).isCluster === true ? (client as Cluster).nodes() : [client as Redis];
}

/**
 * Keeps the client's sockets and reconnect timers out of the event loop's count, so the store
 * never keeps an app alive that would otherwise exit (an app without us would not wait for Redis).
 * `held()` true means the opposite for a while: see `holdProcess`.
 */
export function followProcessLifetime(client: RedisClient, held: () => boolean): void {
  // The reconnect timer is set right after the event is emitted (by a node or a whole Cluster).
  const unrefRetries = (emitter: RedisClient): void => {
    emitter.on('reconnecting', () =>
      queueMicrotask(() => {
        if (!held()) (emitter as unknown as NodeInternals).reconnectTimeout?.unref?.();
      }),
    );
  };
  const watch = (node: Redis): void => {
    node.on('connect', () => setRef(node, held()));
    unrefRetries(node);
  };
  unrefRetries(client);
  if ((client as Cluster).isCluster === true) client.on('+node', (node: Redis) => watch(node));
  else client.on('connect', () => setRef(client as Redis, held()));
}

/** Makes the client's open sockets keep the process alive (`true`) or not. */
export function holdProcess(client: RedisClient, hold: boolean): void {
  for (const node of nodesOf(client)) setRef(node, hold);
}

function setRef(node: Redis, ref: boolean): void {
  const stream = (node as unknown as NodeInternals).stream;
  if (ref) stream?.ref();
  else stream?.unref();
}

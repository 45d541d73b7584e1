import {
  majorVersion,
  MIN_REDIS_MAJOR,
  parseRedisVersion,
  type RedisClient,
} from './redis-connection.js';
import type { StoreLogEvent } from './state-store.js';
import type { StoreCircuitBreaker } from './store-circuit-breaker.js';
import { withTimeout } from './with-timeout.js';

/** What the server's version decides for a RedisStore. */
export interface RedisVersionReport {
  /** `7.0.15`, or undefined when INFO did not say. */
  readonly version: string | undefined;
  /** SPUBLISH/SSUBSCRIBE: a Cluster on Redis >= 7 with sharded pub/sub allowed. */
  readonly sharded: boolean;
  /** One line for operators: connected (and how), or too old. */
  readonly event: StoreLogEvent;
}

/**
 * `INFO server` once the connection is up (connecting may take longer than one store call may, so
 * it is given 10 s); undefined when it is not up by then or INFO fails.
 */
export async function readServerInfo(
  client: RedisClient,
  circuit: StoreCircuitBreaker,
): Promise<string | undefined> {
  await withTimeout(waitReady(client), 10_000).catch(() => {});
  if (client.status !== 'ready') return undefined;
  const info = await circuit.run(() => client.info('server'));
  return typeof info === 'string' ? info : undefined;
}

export function versionReport(
  info: string,
  cluster: boolean,
  shardedPubSub: boolean,
): RedisVersionReport {
  const version = parseRedisVersion(info);
  const major = majorVersion(version);
  const sharded = cluster && shardedPubSub && major >= 7;
  const ok = major >= MIN_REDIS_MAJOR;
  return {
    version,
    sharded,
    event: {
      event: 'store.connected',
      store: 'redis',
      message: ok
        ? `connected to Redis ${version} (requires >= ${MIN_REDIS_MAJOR}); ${cluster ? 'cluster' : 'single node'}, ${sharded ? 'sharded pub/sub' : 'pub/sub'}`
        : `Redis ${version ?? '?'} is too old: otel-circuit-breaker requires Redis >= ${MIN_REDIS_MAJOR}; scripts reading TIME may be refused`,
    },
  };
}

/**
 * What a RedisStore knows of its server: the version once INFO answered, and whether publishing
 * is sharded (decided once: a server that was seen as Redis 7 stays so).
 */
export class RedisServerFacts {
  version: string | undefined;
  sharded = false;

  constructor(
    private readonly cluster: boolean,
    private readonly shardedPubSub: boolean,
    private readonly log: (event: StoreLogEvent) => void,
  ) {}

  /** Publish command the scripts use: SPUBLISH on a Redis 7 Cluster, else PUBLISH. */
  get publish(): 'PUBLISH' | 'SPUBLISH' {
    return this.sharded ? 'SPUBLISH' : 'PUBLISH';
  }

  /** Takes in `INFO server` output and reports the connection once. */
  apply(info: string): void {
    const report = versionReport(info, this.cluster, this.shardedPubSub);
    this.version = report.version;
    if (report.sharded) this.sharded = true;
    this.log(report.event);
  }
}

function waitReady(client: RedisClient): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => client.once('ready', () => resolve()));
}

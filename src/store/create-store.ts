import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { StoreConfig } from '../config/circuit-breaker-config.js';
import { STORE_DEFAULTS } from '../config/defaults.js';
import { MemoryStore } from './memory-store.js';
// On first use: only with the Redis store.
import { RedisStore, type RedisStoreOptions } from './redis-store.js';
// On first use: only with the Redis store.
import { ThreadedRedisStore } from './threaded-redis-store.js';
import type { StateStore, StoreLogEvent } from './state-store.js';

export interface CreateStoreOptions {
  /** Where store availability changes are reported (one event per change). */
  readonly log?: (event: StoreLogEvent) => void;
  readonly instanceId?: string;
}

/**
 * The store for a resolved (validated) `store` config: MemoryStore unless `type: 'redis'`.
 * Never connects synchronously and never throws on an unreachable Redis: it starts unavailable.
 */
export function createStore(
  config: StoreConfig | undefined,
  options: CreateStoreOptions = {},
): StateStore {
  if (config === undefined || config.type !== 'redis')
    return new MemoryStore({ instanceId: options.instanceId });
  return createRedisStore(config, options);
}

/** The worker thread's entry, built beside this file (absent where an app is bundled). */
const WORKER_FILE = join(__dirname, 'redis-store-worker.js');

/**
 * The Redis store for a resolved `store` config of `type: 'redis'`; starts unavailable if
 * unreachable. Its connections run in a worker thread (ThreadedRedisStore), or on the app's thread
 * where no worker can start: its file is not there (a bundled app), or the process may not start
 * worker threads (Node's permission model without --allow-worker).
 */
export function createRedisStore(
  config: Extract<StoreConfig, { type: 'redis' }>,
  options: CreateStoreOptions = {},
): RedisStore | ThreadedRedisStore {
  const redisOptions: RedisStoreOptions = {
    ...(config.url !== undefined ? { url: config.url } : {}),
    ...(config.clusterNodes !== undefined && config.clusterNodes.length > 0
      ? { clusterNodes: config.clusterNodes }
      : {}),
    ...(config.sentinel !== undefined ? { sentinel: config.sentinel } : {}),
    keyPrefix: config.keyPrefix ?? STORE_DEFAULTS.keyPrefix,
    storeTimeoutMs: config.storeTimeoutMs ?? STORE_DEFAULTS.storeTimeoutMs,
    log: options.log,
    instanceId: options.instanceId,
  };
  if (existsSync(WORKER_FILE)) {
    try {
      return new ThreadedRedisStore(WORKER_FILE, redisOptions);
    } catch {
      // No worker threads here (Node's permission model without --allow-worker): the app's thread.
    }
  }
  return new RedisStore(redisOptions);
}

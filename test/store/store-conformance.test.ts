import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { MemoryBackend, MemoryStore } from '../../src/store/memory-store.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { ThreadedRedisStore } from '../../src/store/threaded-redis-store.js';
import type { StateStore } from '../../src/store/state-store.js';
import { OwnCluster, SHARED_REDIS_URL, uniquePrefix } from './redis-harness.js';
import { storeSuite } from './store-suite.js';

const WORKER_FILE = join(__dirname, '../../dist/cjs/store/redis-store-worker.js');

storeSuite('MemoryStore', async () => {
  const backend = new MemoryBackend();
  const stores: StateStore[] = [];
  return {
    connect: async () => {
      const s = new MemoryStore({ backend });
      stores.push(s);
      return s;
    },
    cleanup: async () => {
      await Promise.all(stores.map((s) => s.close()));
    },
  };
});

function redisFleet(target: () => { url?: string; clusterNodes?: string[] }, threaded = false) {
  return async () => {
    const keyPrefix = uniquePrefix('conf');
    const stores: Array<RedisStore | ThreadedRedisStore> = [];
    return {
      connect: async () => {
        const options = { ...target(), keyPrefix, storeTimeoutMs: 2000, stateTtlMs: 60_000 };
        const s = threaded ? new ThreadedRedisStore(WORKER_FILE, options) : new RedisStore(options);
        stores.push(s);
        await s.whenReady();
        return s;
      },
      cleanup: async () => {
        await Promise.all(stores.map((s) => s.close()));
      },
    };
  };
}

storeSuite(
  'RedisStore (single node)',
  redisFleet(() => ({ url: SHARED_REDIS_URL })),
);

// The same store with its connections in a worker thread (the built worker: `npm test` builds first).
storeSuite(
  'ThreadedRedisStore (single node)',
  redisFleet(() => ({ url: SHARED_REDIS_URL }), true),
);

let cluster: OwnCluster | undefined;
beforeAll(async () => {
  cluster = await OwnCluster.start();
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
});

storeSuite(
  'RedisStore (3-master Cluster)',
  redisFleet(() => ({ clusterNodes: cluster!.nodes })),
);

storeSuite(
  'ThreadedRedisStore (3-master Cluster)',
  redisFleet(() => ({ clusterNodes: cluster!.nodes }), true),
);

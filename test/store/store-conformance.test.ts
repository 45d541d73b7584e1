import { afterAll, beforeAll } from 'vitest';
import { MemoryBackend, MemoryStore } from '../../src/store/memory-store.js';
import { RedisStore } from '../../src/store/redis-store.js';
import type { StateStore } from '../../src/store/state-store.js';
import { OwnCluster, SHARED_REDIS_URL, uniquePrefix } from './redis-harness.js';
import { storeSuite } from './store-suite.js';

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

function redisFleet(target: () => { url?: string; clusterNodes?: string[] }) {
  return async () => {
    const keyPrefix = uniquePrefix('conf');
    const stores: RedisStore[] = [];
    return {
      connect: async () => {
        const s = new RedisStore({
          ...target(),
          keyPrefix,
          storeTimeoutMs: 2000,
          stateTtlMs: 60_000,
        });
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

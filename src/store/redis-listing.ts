import type { Cluster } from 'ioredis';
import { keyPattern, nameFromKey } from './keys.js';
import type { RedisClient } from './redis-connection.js';
import type { WindowTotals } from './state-store.js';
import { withTimeout } from './with-timeout.js';

/**
 * Names of every breaker with a state hash or a window under `keyPrefix`, found with SCAN on every
 * master, sorted. Bounded by `timeoutMs`; undefined when Redis cannot be read.
 */
export async function scanBreakerNames(
  client: RedisClient,
  keyPrefix: string,
  timeoutMs: number,
): Promise<string[] | undefined> {
  try {
    const nodes = isCluster(client) ? client.nodes('master') : [client];
    const names = new Set<string>();
    const scanAll = Promise.all(
      nodes.map(async (node) => {
        for (const kind of ['state', 'win'] as const) {
          let cursor = '0';
          do {
            const [next, keys] = await node.scan(
              cursor,
              'MATCH',
              keyPattern(keyPrefix, kind),
              'COUNT',
              500,
            );
            cursor = next;
            for (const key of keys) {
              const name = nameFromKey(keyPrefix, key, kind);
              if (name !== undefined) names.add(name);
            }
          } while (cursor !== '0');
        }
      }),
    );
    await withTimeout(scanAll, timeoutMs);
    return [...names].sort();
  } catch {
    return undefined;
  }
}

/** Calls and failures summed over a window hash's buckets (`<slot>:c`, `<slot>:f`, ...). */
export function sumWindow(fields: Readonly<Record<string, string>>): WindowTotals {
  let calls = 0;
  let failures = 0;
  for (const [field, value] of Object.entries(fields)) {
    if (field.endsWith(':c')) calls += Number(value) || 0;
    else if (field.endsWith(':f')) failures += Number(value) || 0;
  }
  return { calls, failures };
}

function isCluster(client: RedisClient): client is Cluster {
  return (client as Cluster).isCluster === true;
}

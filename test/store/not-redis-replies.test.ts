import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BreakerRegistry } from '../../src/registry/breaker-registry.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { SharedStateSync } from '../../src/fleet/shared-state-sync.js';

// A URL that points at something that speaks RESP but is not Redis (a misconfigured proxy, another
// service): every command is answered `+OK`. The store must treat such replies as no answer, and
// nothing may escape into the app as an unhandled rejection.

let server: Server;
let port: number;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (d) => {
      const text = d.toString('latin1');
      const commands = text.match(/^\*\d+\r$/gm)?.length ?? 0;
      socket.write((text.includes('hello') ? '-NOPROTO no\r\n' : '+OK\r\n').repeat(commands));
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

it('a resync against a server that answers +OK to everything finds no changes and rejects nothing', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  const registry = new BreakerRegistry();
  const store = new RedisStore({ url: `redis://127.0.0.1:${port}`, storeTimeoutMs: 500 });
  const sync = new SharedStateSync(store, {
    flushIntervalMs: 600_000,
    resyncIntervalMs: 600_000,
  }).attach(registry);
  try {
    sync.track(registry.get('api.example.com'));
    await store.whenReady();
    expect(store.health().available).toBe(true);
    expect(await store.changes()).toBeUndefined();
    await sync.resync();
    await sync.resync();
    await new Promise((r) => setImmediate(r));
    expect(unhandled).toEqual([]);
  } finally {
    process.off('unhandledRejection', onUnhandled);
    sync.detach();
    await store.close();
  }
});

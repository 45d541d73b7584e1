// The worker thread of a ThreadedRedisStore: runs the RedisStore (its ioredis connections, scripts
// and subscriber) away from the app's thread and answers the requests of threaded-redis-store.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { ChangeSet } from './fleet-change-log.js';
import { RedisStore } from './redis-store.js';
import type {
  WorkerCalls,
  WorkerFacts,
  WorkerMessage,
  WorkerNotice,
  WorkerOp,
  WorkerRequest,
  WorkerStoreOptions,
} from './redis-worker-protocol.js';
import type { FleetChanges, StoreLogEvent } from './state-store.js';

const port = parentPort;
if (port === null) throw new Error('redis-store-worker runs only as a worker thread');

const post = (message: WorkerMessage): void => port.postMessage(message);
/** Sent with every reply and event: the app's side mirrors them (health() is synchronous there). */
const facts = (): WorkerFacts => ({
  health: redis.health(),
  redisVersion: redis.redisVersion,
  authRefused: redis.authRefused,
});
const redis: RedisStore = new RedisStore({
  ...(workerData as WorkerStoreOptions),
  // After the constructor, whatever it logs: facts() reads the store.
  log: (log: StoreLogEvent) => queueMicrotask(() => post({ event: 'log', log, ...facts() })),
});
redis.onReconnect(() => post({ event: 'reconnect', ...facts() }));

/** Looks answered but not committed yet, by number. */
const looks = new Map<number, FleetChanges>();
let lastLook = 0;
let subscribed = false;

type Handler<K extends WorkerOp> = (
  ...args: WorkerCalls[K]['args']
) => Promise<WorkerCalls[K]['result']> | WorkerCalls[K]['result'];

const handlers: { [K in WorkerOp]: Handler<K> } = {
  read: (name) => redis.read(name),
  transition: (name, request) => redis.transition(name, request),
  flush: (name, request) => redis.flush(name, request),
  acquirePermit: (name, maxCalls, ttlMs) => redis.acquirePermit(name, maxCalls, ttlMs),
  releasePermit: (name, token) => redis.releasePermit(name, token),
  permitCount: (name) => redis.permitCount(name),
  listNames: (timeoutMs) => redis.listNames(timeoutMs),
  windowTotals: (name) => redis.windowTotals(name),
  changes: async () => {
    const changes = await redis.changes();
    if (!(changes instanceof ChangeSet)) return undefined;
    const look = ++lastLook;
    // Only the latest look can still be committed: an older one answered before it.
    looks.clear();
    looks.set(look, changes);
    return { look, names: [...changes.names], wholeShards: [...changes.wholeShards] };
  },
  commitLook: (look) => {
    looks.get(look)?.commit();
    looks.delete(look);
  },
  whenReady: () => redis.whenReady(),
  whenSubscribed: () => redis.whenSubscribed(),
  close: () => redis.close(),
};

function onNotice(notice: WorkerNotice): void {
  if (notice.notice === 'watch') redis.watch(notice.name);
  else if (notice.notice === 'hold') redis.holdProcess(notice.hold);
  else if (!subscribed) {
    subscribed = true;
    redis.subscribe((message) => post({ event: 'transition', message, ...facts() }));
  }
}

port.on('message', (message: WorkerRequest | WorkerNotice) => {
  if ('notice' in message) {
    onNotice(message);
    return;
  }
  const handler = handlers[message.op] as (...args: unknown[]) => unknown;
  // Every RedisStore method resolves within its own bound and never rejects; a bug still answers.
  void Promise.resolve()
    .then(() => handler(...message.args))
    .catch(() => undefined)
    .then((result) => post({ id: message.id, result, ...facts() }));
});

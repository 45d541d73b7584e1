import type { RedisStoreOptions } from './redis-store.js';
import type {
  FlushRequest,
  FlushResult,
  SharedState,
  SharedStateMessage,
  StoreHealth,
  StoreLogEvent,
  TransitionRequest,
  TransitionResult,
  WindowTotals,
} from './state-store.js';

/**
 * The messages between a ThreadedRedisStore (the app's thread) and the RedisStore it runs in a
 * worker thread (redis-store-worker.ts). Everything here is plain data (structured clone).
 */

/** What the worker is started with: the store's options, without the log callback. */
export type WorkerStoreOptions = Omit<RedisStoreOptions, 'log'>;

/** Each request names a RedisStore method and its arguments; the reply carries its result. */
export interface WorkerCalls {
  read: { args: [name: string]; result: SharedState | undefined };
  transition: {
    args: [name: string, request: TransitionRequest];
    result: TransitionResult | undefined;
  };
  flush: { args: [name: string, request: FlushRequest]; result: FlushResult | undefined };
  acquirePermit: { args: [name: string, maxCalls: number, ttlMs: number]; result: string | null };
  releasePermit: { args: [name: string, token: string]; result: void };
  permitCount: { args: [name: string]; result: number | undefined };
  listNames: { args: [timeoutMs: number | undefined]; result: string[] | undefined };
  windowTotals: { args: [name: string]; result: WindowTotals | undefined };
  /** `look` numbers the answer, for `commitLook`; undefined when Redis could not be read. */
  changes: {
    args: [];
    result: { look: number; names: string[]; wholeShards: number[] } | undefined;
  };
  commitLook: { args: [look: number]; result: void };
  whenReady: { args: []; result: void };
  whenSubscribed: { args: []; result: void };
  close: { args: []; result: void };
}

export type WorkerOp = keyof WorkerCalls;

export interface WorkerRequest<K extends WorkerOp = WorkerOp> {
  readonly id: number;
  readonly op: K;
  readonly args: WorkerCalls[K]['args'];
}

/** Requests that need no reply. */
export type WorkerNotice =
  | { readonly notice: 'watch'; readonly name: string }
  | { readonly notice: 'subscribe' }
  | { readonly notice: 'hold'; readonly hold: boolean };

/** What the worker knows of the server and the connection, sent with every reply and event. */
export interface WorkerFacts {
  readonly health: StoreHealth;
  readonly redisVersion: string | undefined;
  readonly authRefused: boolean;
}

export type WorkerMessage =
  | ({ readonly id: number; readonly result: unknown } & WorkerFacts)
  | ({ readonly event: 'transition'; readonly message: SharedStateMessage } & WorkerFacts)
  | ({ readonly event: 'reconnect' } & WorkerFacts)
  | ({ readonly event: 'log'; readonly log: StoreLogEvent } & WorkerFacts);

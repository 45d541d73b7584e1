import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { STORE_DEFAULTS } from '../config/defaults.js';
import { ChangeSet } from './fleet-change-log.js';
import { ListenerList } from './listener-list.js';
import type { RedisStoreOptions } from './redis-store.js';
import { STORE_THREAD_ARG } from './store-thread.js';
import type {
  WorkerCalls,
  WorkerFacts,
  WorkerMessage,
  WorkerNotice,
  WorkerOp,
  WorkerStoreOptions,
} from './redis-worker-protocol.js';
import type {
  FleetChanges,
  FlushRequest,
  FlushResult,
  SharedState,
  SharedStateListener,
  SharedStateMessage,
  StateStore,
  StoreHealth,
  StoreLogEvent,
  TransitionRequest,
  TransitionResult,
  WindowTotals,
} from './state-store.js';
import { logStoreEvent, storeUnavailableEvent } from './store-log.js';

/** Past a call's own bound, how long the app's side waits for the worker before giving up on it. */
const WORKER_GRACE_MS = 1000;

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly fallback: unknown;
  readonly timer: ReturnType<typeof setTimeout>;
}

/**
 * The Redis store with its connections in a worker thread (redis-store-worker.ts runs a RedisStore
 * there). The app's thread keeps only this proxy: ioredis' socket handling, reply parsing and
 * reconnects never run beside the app's own code, whose hot paths V8 then optimizes as it would
 * without the store (on one thread, the store's connections cost a fetch-heavy app 7-14% of its
 * requests per second). Same contract as every StateStore: each call resolves within a bound and
 * never rejects; if the worker dies, calls answer as an unreachable store would.
 */
export class ThreadedRedisStore implements StateStore {
  readonly kind = 'redis' as const;
  readonly instanceId: string;
  readonly keyPrefix: string;

  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new ListenerList<[SharedStateMessage]>();
  private readonly reconnected = new ListenerList();
  private readonly timeoutMs: number;
  private facts: WorkerFacts = {
    health: { available: true, errors: 0, store: 'redis' },
    redisVersion: undefined,
    authRefused: false,
  };
  private nextId = 0;
  private gone = false;
  private closing: Promise<void> | undefined;

  constructor(
    workerFile: string,
    private readonly options: RedisStoreOptions = {},
  ) {
    this.instanceId = options.instanceId ?? randomUUID();
    this.keyPrefix = options.keyPrefix ?? STORE_DEFAULTS.keyPrefix;
    this.timeoutMs = options.storeTimeoutMs ?? 200;
    const { log: _log, ...rest } = options;
    const workerOptions: WorkerStoreOptions = { ...rest, instanceId: this.instanceId };
    // No --require/--import of the app's (ours included) in the store's thread.
    this.worker = new Worker(workerFile, {
      workerData: workerOptions,
      argv: [STORE_THREAD_ARG],
      execArgv: [],
      stdout: false,
    });
    this.worker.on('message', (message: WorkerMessage) => this.receive(message));
    this.worker.on('error', (error: Error) => this.lost(error.message));
    this.worker.on('exit', () => this.lost('worker thread exited'));
    // Like the store's sockets on one thread: never what keeps an app alive (see holdProcess).
    this.worker.unref();
  }

  /** `7.0.15`, once known. */
  get redisVersion(): string | undefined {
    return this.facts.redisVersion;
  }

  /** Redis refused the password or user of the last connection attempt (WRONGPASS, NOAUTH). */
  get authRefused(): boolean {
    return this.facts.authRefused;
  }

  health(): StoreHealth {
    return this.facts.health;
  }

  read(name: string): Promise<SharedState | undefined> {
    return this.call('read', undefined, name);
  }

  transition(name: string, request: TransitionRequest): Promise<TransitionResult | undefined> {
    return this.call('transition', undefined, name, request);
  }

  flush(name: string, request: FlushRequest): Promise<FlushResult | undefined> {
    return this.call('flush', undefined, name, request);
  }

  acquirePermit(name: string, maxCalls: number, ttlMs: number): Promise<string | null> {
    return this.call('acquirePermit', null, name, maxCalls, ttlMs);
  }

  releasePermit(name: string, token: string): Promise<void> {
    return this.call('releasePermit', undefined, name, token);
  }

  permitCount(name: string): Promise<number | undefined> {
    return this.call('permitCount', undefined, name);
  }

  listNames(timeoutMs = 5000): Promise<string[] | undefined> {
    return this.call('listNames', undefined, timeoutMs);
  }

  windowTotals(name: string): Promise<WindowTotals | undefined> {
    return this.call('windowTotals', undefined, name);
  }

  async changes(): Promise<FleetChanges | undefined> {
    const answer = await this.call('changes', undefined);
    if (answer === undefined) return undefined;
    return new ChangeSet(new Set(answer.names), new Set(answer.wholeShards), () => {
      void this.call('commitLook', undefined, answer.look);
    });
  }

  subscribe(listener: SharedStateListener): () => void {
    const remove = this.listeners.add(listener);
    this.notify({ notice: 'subscribe' });
    return remove;
  }

  watch(name: string): void {
    this.notify({ notice: 'watch', name });
  }

  onReconnect(listener: () => void): () => void {
    return this.reconnected.add(listener);
  }

  /** Resolves once the server version is known (or could not be read within the timeout). */
  whenReady(): Promise<void> {
    return this.call('whenReady', undefined);
  }

  /** Resolves once the subscriber listens (see RedisStore.whenSubscribed). Tests use it. */
  whenSubscribed(): Promise<void> {
    return this.call('whenSubscribed', undefined);
  }

  /** While true, the worker (and its command connection) keeps the process alive: see flushOnExit. */
  holdProcess(hold: boolean): void {
    if (hold) this.worker.ref();
    else this.worker.unref();
    this.notify({ notice: 'hold', hold });
  }

  close(): Promise<void> {
    this.closing ??= this.call('close', undefined).then(async () => {
      this.gone = true;
      await this.worker.terminate();
    });
    return this.closing;
  }

  // ---- internals -------------------------------------------------------------------------

  private call<K extends WorkerOp>(
    op: K,
    fallback: WorkerCalls[K]['result'],
    ...args: WorkerCalls[K]['args']
  ): Promise<WorkerCalls[K]['result']> {
    if (this.gone) return Promise.resolve(fallback);
    const id = ++this.nextId;
    const bound = (op === 'listNames' ? (args[0] as number) : this.timeoutMs) * 2;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle(id, fallback), bound + WORKER_GRACE_MS);
      timer.unref();
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, fallback, timer });
      this.worker.postMessage({ id, op, args });
    });
  }

  private notify(notice: WorkerNotice): void {
    if (!this.gone) this.worker.postMessage(notice);
  }

  private settle(id: number, result: unknown): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(result);
  }

  private receive(message: WorkerMessage): void {
    this.facts = {
      health: message.health,
      redisVersion: message.redisVersion,
      authRefused: message.authRefused,
    };
    if ('id' in message) {
      const pending = this.pending.get(message.id);
      this.settle(message.id, message.result ?? pending?.fallback);
    } else if (message.event === 'transition') this.listeners.emit(message.message);
    else if (message.event === 'reconnect') this.reconnected.emit();
    else this.log(message.log);
  }

  /** The worker is gone (a bug, or the process is ending): answer as an unreachable store. */
  private lost(reason: string): void {
    if (this.gone && this.pending.size === 0) return;
    const wasClosing = this.closing !== undefined;
    this.gone = true;
    for (const [id, pending] of this.pending) this.settle(id, pending.fallback);
    if (wasClosing) return;
    const { errors } = this.facts.health;
    this.facts = {
      ...this.facts,
      health: { available: false, errors: errors + 1, store: 'redis' },
    };
    this.log(storeUnavailableEvent('redis', reason));
  }

  private log(event: StoreLogEvent): void {
    logStoreEvent(this.options.log, event);
  }
}

import { randomUUID } from 'node:crypto';
import { STORE_DEFAULTS } from '../config/defaults.js';
import { RedisChangeLog } from './fleet-change-log.js';
import { breakerKeys } from './keys.js';
import {
  createClient,
  followProcessLifetime,
  holdProcess,
  type RedisClient,
  type RedisTarget,
} from './redis-connection.js';
import { ListenerList } from './listener-list.js';
import { scanBreakerNames, sumWindow } from './redis-listing.js';
import { isAuthError, toSharedState } from './redis-replies.js';
import {
  flushArgs,
  flushResult,
  transitionArgs,
  transitionResult,
  type ScriptWriter,
} from './redis-script-args.js';
import { RedisScripts } from './redis-scripts.js';
import { RedisSubscriber } from './redis-subscriber.js';
import { RedisServerFacts, readServerInfo } from './redis-version.js';
import type {
  FleetChanges,
  FlushRequest,
  FlushResult,
  SharedState,
  SharedStateListener,
  StateStore,
  StoreHealth,
  StoreLogEvent,
  TransitionRequest,
  TransitionResult,
  WindowTotals,
} from './state-store.js';
import { StoreCircuitBreaker } from './store-circuit-breaker.js';
import { logStoreEvent } from './store-log.js';

export interface RedisStoreOptions extends RedisTarget {
  /** Prefix of every key. Default `cb`. */
  readonly keyPrefix?: string;
  /** Every store call is raced against this. Default 200. */
  readonly storeTimeoutMs?: number;
  /** Idle breakers' state hashes expire after this long without a write or flush. Default 24 h. */
  readonly stateTtlMs?: number;
  /** Identifies this instance in published transitions. Default a random UUID. */
  readonly instanceId?: string;
  /** Connection names are `<connectionName>:cmd` and `<connectionName>:sub`. Default `otel-cb`. */
  readonly connectionName?: string;
  /** Sharded pub/sub on Cluster when Redis >= 7. Default true. */
  readonly shardedPubSub?: boolean;
  readonly log?: (event: StoreLogEvent) => void;
}

/**
 * Shared breaker state in Redis (single node, Sentinel or Cluster). Transitions, flushes and
 * permits are Lua scripts (src/store/lua) that read time from Redis itself; the subscriber has its
 * own connection. Every call is bounded by `storeTimeoutMs` and resolves (never rejects).
 */
export class RedisStore implements StateStore {
  readonly kind = 'redis' as const;
  readonly instanceId: string;
  readonly keyPrefix: string;
  /** Redis refused the password or user of the last connection attempt (WRONGPASS, NOAUTH). */
  authRefused = false;

  private readonly commands: RedisClient;
  private readonly subscriber: RedisSubscriber;
  private readonly circuit: StoreCircuitBreaker;
  private readonly scripts: RedisScripts;
  private readonly cluster: boolean;
  private readonly server: RedisServerFacts;
  private readonly reconnected = new ListenerList();
  private readonly stateTtlMs: number;
  private readonly timeoutMs: number;
  private holding = false;
  private closed = false;
  private readonly ready: Promise<void>;
  private readonly changeLog: RedisChangeLog;

  constructor(private readonly options: RedisStoreOptions = {}) {
    this.keyPrefix = options.keyPrefix ?? STORE_DEFAULTS.keyPrefix;
    this.timeoutMs = options.storeTimeoutMs ?? 200;
    this.stateTtlMs = options.stateTtlMs ?? 24 * 3600_000;
    this.instanceId = options.instanceId ?? randomUUID();
    this.cluster = (options.clusterNodes?.length ?? 0) > 0;
    this.server = new RedisServerFacts(this.cluster, options.shardedPubSub ?? true, (event) =>
      logStoreEvent(options.log, event),
    );
    this.circuit = new StoreCircuitBreaker({
      store: 'redis',
      timeoutMs: this.timeoutMs,
      log: options.log,
      onAvailable: () => this.reconnected.emit(),
    });
    const name = options.connectionName ?? 'otel-cb';
    this.commands = createClient(options, { connectionName: `${name}:cmd`, subscriber: false });
    this.scripts = new RedisScripts(this.commands);
    // ioredis emits 'error' for every failed reconnect; availability is reported by the store's circuit breaker instead.
    // Only whether Redis refused our credentials is kept, for the CLI to say so.
    this.commands.on('error', (error: unknown) => {
      if (isAuthError(error)) this.authRefused = true;
    });
    this.commands.on('close', () => {
      // Redis may come back without its data (a restart, a failover): then read every breaker.
      // Slow replies alone (timeouts on a live connection) lose nothing and do not cost that.
      this.changeLog.forget();
      this.circuit.connectionLost('connection closed');
    });
    this.commands.on('ready', () => this.onCommandsReady());
    followProcessLifetime(this.commands, () => this.holding);
    this.changeLog = new RedisChangeLog(this.commands, this.keyPrefix, this.cluster, (fn) =>
      this.circuit.run(fn),
    );
    this.subscriber = new RedisSubscriber({
      target: options,
      connectionName: name,
      keyPrefix: this.keyPrefix,
      sharded: () => this.server.sharded,
      onMissed: () => this.changeLog.forget(),
      onResumed: () => this.reconnected.emit(),
    });
    this.ready = this.checkVersion();
  }

  /** `7.0.15`, once known. */
  get redisVersion(): string | undefined {
    return this.server.version;
  }

  /** Resolves once the server version is known (or could not be read within the timeout). */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /**
   * Resolves once the subscriber listens (pattern subscription, or every watched shard channel).
   * Only tests need it: a message missed before then is caught by the next resync.
   */
  async whenSubscribed(): Promise<void> {
    await this.ready;
    this.subscriber.start();
    await this.subscriber.whenSubscribed();
  }

  health(): StoreHealth {
    return this.circuit.health();
  }

  async read(name: string): Promise<SharedState | undefined> {
    const keys = breakerKeys(this.keyPrefix, name);
    const reply = await this.circuit.run(() => this.scripts.run('read', keys.state));
    if (!Array.isArray(reply)) return undefined;
    return toSharedState(reply[0], reply[1], reply[2], reply[3], reply[4]);
  }

  async transition(
    name: string,
    request: TransitionRequest,
  ): Promise<TransitionResult | undefined> {
    const args = transitionArgs(this.writer(), name, request);
    const reply = await this.circuit.run(() => this.scripts.run('transition', ...args));
    return Array.isArray(reply) ? transitionResult(reply) : undefined;
  }

  async flush(name: string, request: FlushRequest): Promise<FlushResult | undefined> {
    const args = flushArgs(this.writer(), name, request);
    // No retry here, ever: a flush that timed out may have been applied.
    const reply = await this.circuit.run(() => this.scripts.run('flush', ...args));
    return Array.isArray(reply) ? flushResult(reply) : undefined;
  }

  changes(): Promise<FleetChanges | undefined> {
    return this.changeLog.look();
  }

  async acquirePermit(name: string, maxCalls: number, ttlMs: number): Promise<string | null> {
    const token = `${this.instanceId}:${randomUUID()}`;
    const keys = breakerKeys(this.keyPrefix, name);
    const reply = await this.circuit.run(() =>
      this.scripts.run(
        'acquirePermit',
        keys.permits,
        maxCalls,
        Math.max(1, Math.round(ttlMs)),
        token,
      ),
    );
    // A timed-out acquire counts as not acquired; its permit, if Redis took it, expires by itself.
    return reply === 1 ? token : null;
  }

  async releasePermit(name: string, token: string): Promise<void> {
    const keys = breakerKeys(this.keyPrefix, name);
    await this.circuit.run(() => this.commands.zrem(keys.permits, token));
  }

  async permitCount(name: string): Promise<number | undefined> {
    const keys = breakerKeys(this.keyPrefix, name);
    const reply = await this.circuit.run(() => this.scripts.run('countPermits', keys.permits));
    return typeof reply === 'number' ? reply : undefined;
  }

  /** Names with a state hash or a window under this key prefix: SCAN on every master. */
  listNames(timeoutMs = 5000): Promise<string[] | undefined> {
    return scanBreakerNames(this.commands, this.keyPrefix, timeoutMs);
  }

  /** Buckets older than the window go at the next flush: a bucket that just left may still count. */
  async windowTotals(name: string): Promise<WindowTotals | undefined> {
    const keys = breakerKeys(this.keyPrefix, name);
    const fields = await this.circuit.run(() => this.commands.hgetall(keys.window));
    if (fields === undefined) return undefined;
    return sumWindow(fields);
  }

  subscribe(listener: SharedStateListener): () => void {
    const unsubscribe = this.subscriber.addListener(listener);
    void this.ready.then(() => this.subscriber.start());
    return unsubscribe;
  }

  watch(name: string): void {
    this.subscriber.watch(name);
  }

  onReconnect(listener: () => void): () => void {
    return this.reconnected.add(listener);
  }

  /**
   * While true, the command connection keeps the process alive: for the last writes of an app
   * that is exiting (see flushOnExit). Otherwise the store never holds an app open.
   */
  holdProcess(hold: boolean): void {
    this.holding = hold;
    holdProcess(this.commands, hold);
  }

  /** Publish command the scripts use: SPUBLISH on a Redis 7 Cluster, else PUBLISH. */
  get publishCommand(): 'PUBLISH' | 'SPUBLISH' {
    return this.server.publish;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.commands.disconnect();
    this.subscriber.close();
  }

  // ---- internals -------------------------------------------------------------------------

  /**
   * The command connection is (re)established. After a loss, probe at once instead of waiting for
   * the next store call, so instances reconcile as soon as Redis is back, not a cooldown later.
   */
  private onCommandsReady(): void {
    this.authRefused = false;
    this.circuit.allowTrial();
    if (!this.circuit.isAvailable && !this.closed)
      void this.circuit.run(() => this.commands.ping());
  }

  private async checkVersion(): Promise<void> {
    const info = await readServerInfo(this.commands, this.circuit);
    if (info === undefined) {
      // Unknown yet; the first successful reconnect checks again.
      this.reconnected.addOnce(() => void this.checkVersionLate());
      return;
    }
    this.applyVersion(info);
    // Anything asked before the connection was up (a new instance pulling its breakers' fleet
    // state) failed at once, since commands are never queued: pull everything again now.
    this.reconnected.emit();
  }

  private async checkVersionLate(): Promise<void> {
    const info = await this.circuit.run(() => this.commands.info('server'));
    if (typeof info === 'string' && this.server.version === undefined) this.applyVersion(info);
  }

  private applyVersion(info: string): void {
    this.server.apply(info);
    if (this.subscriber.hasListeners) this.subscriber.start();
  }

  /** This client, as the write scripts are told about it. */
  private writer(): ScriptWriter {
    const { keyPrefix, instanceId, stateTtlMs } = this;
    return { keyPrefix, instanceId, stateTtlMs, publish: this.server.publish };
  }
}

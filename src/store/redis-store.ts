import { randomUUID } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { BreakerStateName } from '../core/state-names.js';
import { CHANGE_LOG_MAX_NAMES, RedisChangeLog } from './fleet-change-log.js';
import {
  breakerKeys,
  channelPattern,
  keyPattern,
  nameFromChannel,
  nameFromKey,
  shardKeys,
  shardOf,
} from './keys.js';
import { loadScripts, type ScriptName } from './lua-scripts.js';
import {
  createClient,
  followProcessLifetime,
  holdProcess,
  majorVersion,
  MIN_REDIS_MAJOR,
  parseRedisVersion,
  type RedisClient,
  type RedisTarget,
} from './redis-connection.js';
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
} from './state-store.js';
import { StoreGuard } from './store-guard.js';
import { withTimeout } from './with-timeout.js';

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

type ScriptFn = (...args: Array<string | number>) => Promise<unknown>;
type PublishCommand = 'PUBLISH' | 'SPUBLISH';

const STATES = new Set<string>(['closed', 'open', 'half_open', 'forced_open', 'disabled']);

/**
 * Shared breaker state in Redis (single node, Sentinel or Cluster). Transitions, flushes and
 * permits are Lua scripts (src/store/lua) that read time from Redis itself; the subscriber has its
 * own connection. Every call is bounded by `storeTimeoutMs` and resolves (never rejects).
 */
export class RedisStore implements StateStore {
  readonly kind = 'redis' as const;
  readonly instanceId: string;
  readonly keyPrefix: string;
  /** `7.0.15`, once known. */
  redisVersion: string | undefined;
  /** Redis refused the password or user of the last connection attempt (WRONGPASS, NOAUTH). */
  authRefused = false;

  private readonly commands: RedisClient;
  private subscriber: RedisClient | undefined;
  private readonly guard: StoreGuard;
  private readonly scripts: Record<ScriptName, string>;
  private readonly cluster: boolean;
  private publish: PublishCommand = 'PUBLISH';
  private sharded = false;
  private readonly listeners: SharedStateListener[] = [];
  private readonly reconnectListeners: Array<() => void> = [];
  private readonly watched = new Set<string>();
  private readonly stateTtlMs: number;
  private readonly timeoutMs: number;
  private subscriberWasReady = false;
  private holding = false;
  /** A subscription was refused or lost before Redis confirmed it: resubscribe on reconnect. */
  private subscribeFailed = false;
  private closed = false;
  private readonly ready: Promise<void>;
  private subscribed: Promise<void> | undefined;
  private readonly changeLog: RedisChangeLog;

  constructor(private readonly options: RedisStoreOptions = {}) {
    this.keyPrefix = options.keyPrefix ?? 'cb';
    this.timeoutMs = options.storeTimeoutMs ?? 200;
    this.stateTtlMs = options.stateTtlMs ?? 24 * 3600_000;
    this.instanceId = options.instanceId ?? randomUUID();
    this.cluster = (options.clusterNodes?.length ?? 0) > 0;
    this.guard = new StoreGuard({
      store: 'redis',
      timeoutMs: this.timeoutMs,
      log: options.log,
      onAvailable: () => this.emitReconnect(),
    });
    const name = options.connectionName ?? 'otel-cb';
    this.commands = createClient(options, { connectionName: `${name}:cmd`, subscriber: false });
    this.scripts = {} as Record<ScriptName, string>;
    for (const [key, script] of Object.entries(loadScripts()) as Array<
      [ScriptName, ReturnType<typeof loadScripts>[ScriptName]]
    >) {
      this.commands.defineCommand(script.command, {
        numberOfKeys: script.numberOfKeys,
        lua: script.lua,
      });
      this.scripts[key] = script.command;
    }
    // ioredis emits 'error' for every failed reconnect; availability is reported by the guard instead.
    // Only whether Redis refused our credentials is kept, for the CLI to say so.
    this.commands.on('error', (error: unknown) => {
      if (isAuthError(error)) this.authRefused = true;
    });
    this.commands.on('close', () => {
      // Redis may come back without its data (a restart, a failover): then read every breaker.
      // Slow replies alone (timeouts on a live connection) lose nothing and do not cost that.
      this.changeLog.forget();
      this.guard.connectionLost('connection closed');
    });
    this.commands.on('ready', () => this.onCommandsReady());
    followProcessLifetime(this.commands, () => this.holding);
    this.changeLog = new RedisChangeLog(this.commands, this.keyPrefix, this.cluster, (fn) =>
      this.guard.run(fn),
    );
    this.ready = this.checkVersion();
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
    this.ensureSubscriber();
    await this.subscribed;
  }

  health(): StoreHealth {
    return this.guard.health();
  }

  async read(name: string): Promise<SharedState | undefined> {
    const keys = breakerKeys(this.keyPrefix, name);
    const reply = await this.guard.run(() => this.script('read', keys.state));
    if (!Array.isArray(reply)) return undefined;
    return toState(reply[0], reply[1], reply[2], reply[3], reply[4]);
  }

  async transition(
    name: string,
    request: TransitionRequest,
  ): Promise<TransitionResult | undefined> {
    const keys = breakerKeys(this.keyPrefix, name);
    const log = shardKeys(this.keyPrefix, shardOf(name));
    const reply = await this.guard.run(() =>
      this.script(
        'transition',
        keys.state,
        keys.window,
        keys.permits,
        keys.channel,
        log.version,
        log.changes,
        request.expectedEpoch,
        request.state,
        Math.max(0, Math.round(request.openMs ?? 0)),
        request.reason,
        this.instanceId,
        this.stateTtlMs,
        this.publish,
        name,
        CHANGE_LOG_MAX_NAMES,
      ),
    );
    if (!Array.isArray(reply)) return undefined;
    return {
      committed: reply[0] === 1,
      current: toState(reply[1], reply[2], reply[3], reply[4], reply[5]),
    };
  }

  async flush(name: string, r: FlushRequest): Promise<FlushResult | undefined> {
    const keys = breakerKeys(this.keyPrefix, name);
    const log = shardKeys(this.keyPrefix, shardOf(name));
    const bucketMs = Math.max(1, Math.floor(r.windowMs / r.windowBuckets));
    // No retry here, ever: a flush that timed out may have been applied.
    const reply = await this.guard.run(() =>
      this.script(
        'flush',
        keys.state,
        keys.window,
        keys.permits,
        keys.channel,
        log.version,
        log.changes,
        r.calls,
        r.failures,
        r.slowCalls,
        bucketMs,
        r.windowBuckets,
        r.minimumCalls,
        r.failureRateThreshold,
        r.slowCallRateThreshold,
        Math.max(0, Math.round(r.openMs)),
        this.instanceId,
        this.stateTtlMs,
        this.publish,
        name,
        CHANGE_LOG_MAX_NAMES,
      ),
    );
    if (!Array.isArray(reply)) return undefined;
    return {
      tripped: reply[0] === 1,
      calls: Number(reply[1]),
      failures: Number(reply[2]),
      slowCalls: Number(reply[3]),
      current: toState(reply[4], reply[5], reply[6], reply[7], reply[8]),
    };
  }

  changes(): Promise<FleetChanges | undefined> {
    return this.changeLog.look();
  }

  async acquirePermit(name: string, maxCalls: number, ttlMs: number): Promise<string | null> {
    const token = `${this.instanceId}:${randomUUID()}`;
    const keys = breakerKeys(this.keyPrefix, name);
    const reply = await this.guard.run(() =>
      this.script('acquirePermit', keys.permits, maxCalls, Math.max(1, Math.round(ttlMs)), token),
    );
    // A timed-out acquire counts as not acquired; its permit, if Redis took it, expires by itself.
    return reply === 1 ? token : null;
  }

  async releasePermit(name: string, token: string): Promise<void> {
    const keys = breakerKeys(this.keyPrefix, name);
    await this.guard.run(() => this.commands.zrem(keys.permits, token));
  }

  async permitCount(name: string): Promise<number | undefined> {
    const keys = breakerKeys(this.keyPrefix, name);
    const reply = await this.guard.run(() => this.script('countPermits', keys.permits));
    return typeof reply === 'number' ? reply : undefined;
  }

  /**
   * Names of every breaker the fleet has a record of under this key prefix (a state hash or a
   * window), found with SCAN on every master. For the admin endpoint and the CLI, never the call
   * path; bounded by `timeoutMs` (default 5 s); undefined when Redis cannot be read.
   */
  async listNames(timeoutMs = 5000): Promise<string[] | undefined> {
    try {
      const nodes = isCluster(this.commands) ? this.commands.nodes('master') : [this.commands];
      const names = new Set<string>();
      const scanAll = Promise.all(
        nodes.map(async (node) => {
          for (const kind of ['state', 'win'] as const) {
            let cursor = '0';
            do {
              const [next, keys] = await node.scan(
                cursor,
                'MATCH',
                keyPattern(this.keyPrefix, kind),
                'COUNT',
                500,
              );
              cursor = next;
              for (const key of keys) {
                const name = nameFromKey(this.keyPrefix, key, kind);
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

  /**
   * Fleet-wide calls and failures in a breaker's shared window (as of the last flush of any
   * instance). Buckets older than the window are dropped by the next flush, so this may briefly
   * include a bucket that just left the window.
   */
  async windowTotals(name: string): Promise<{ calls: number; failures: number } | undefined> {
    const keys = breakerKeys(this.keyPrefix, name);
    const fields = await this.guard.run(() => this.commands.hgetall(keys.window));
    if (fields === undefined) return undefined;
    let calls = 0;
    let failures = 0;
    for (const [field, value] of Object.entries(fields)) {
      if (field.endsWith(':c')) calls += Number(value) || 0;
      else if (field.endsWith(':f')) failures += Number(value) || 0;
    }
    return { calls, failures };
  }

  subscribe(listener: SharedStateListener): () => void {
    this.listeners.push(listener);
    void this.ready.then(() => this.ensureSubscriber());
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  watch(name: string): void {
    if (this.watched.has(name)) return;
    this.watched.add(name);
    if (this.sharded && this.subscriber !== undefined)
      this.subscribed = Promise.all([this.subscribed, this.ssubscribe([name])]).then(([, ok]) => {
        if (!ok) this.subscribeFailed = true;
      });
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.push(listener);
    return () => {
      const i = this.reconnectListeners.indexOf(listener);
      if (i >= 0) this.reconnectListeners.splice(i, 1);
    };
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
  get publishCommand(): PublishCommand {
    return this.publish;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.commands.disconnect();
    this.subscriber?.disconnect();
  }

  // ---- internals -------------------------------------------------------------------------

  private async script(name: ScriptName, ...args: Array<string | number>): Promise<unknown> {
    const fn = (this.commands as unknown as Record<string, ScriptFn>)[this.scripts[name]]!;
    try {
      return await fn.apply(this.commands, args);
    } catch (error) {
      // ioredis reloads a script after NOSCRIPT itself; ours is at most one more try (nothing ran).
      if (error instanceof Error && error.message.startsWith('NOSCRIPT'))
        return fn.apply(this.commands, args);
      throw error;
    }
  }

  /**
   * The command connection is (re)established. After a loss, probe at once instead of waiting for
   * the next store call, so instances reconcile as soon as Redis is back, not a cooldown later.
   */
  private onCommandsReady(): void {
    this.authRefused = false;
    this.guard.allowTrial();
    if (!this.guard.isAvailable && !this.closed) void this.guard.run(() => this.commands.ping());
  }

  private async checkVersion(): Promise<void> {
    // Connecting may take longer than one store call may; it is not a store error until it fails.
    await withTimeout(waitReady(this.commands), 10_000).catch(() => {});
    const info =
      this.commands.status === 'ready'
        ? await this.guard.run(() => this.commands.info('server'))
        : undefined;
    if (typeof info !== 'string') {
      // Unknown yet; the first successful reconnect checks again.
      this.onReconnect(once(() => void this.checkVersionLate()));
      return;
    }
    this.applyVersion(info);
    // Anything asked before the connection was up (a new instance pulling its breakers' fleet
    // state) failed at once, since commands are never queued: pull everything again now.
    this.emitReconnect();
  }

  private async checkVersionLate(): Promise<void> {
    const info = await this.guard.run(() => this.commands.info('server'));
    if (typeof info === 'string' && this.redisVersion === undefined) this.applyVersion(info);
  }

  private applyVersion(info: string): void {
    this.redisVersion = parseRedisVersion(info);
    const major = majorVersion(this.redisVersion);
    if (this.cluster && (this.options.shardedPubSub ?? true) && major >= 7) {
      this.publish = 'SPUBLISH';
      this.sharded = true;
    }
    const ok = major >= MIN_REDIS_MAJOR;
    this.log({
      event: 'store.connected',
      store: 'redis',
      message: ok
        ? `connected to Redis ${this.redisVersion} (requires >= ${MIN_REDIS_MAJOR}); ${this.cluster ? 'cluster' : 'single node'}, ${this.sharded ? 'sharded pub/sub' : 'pub/sub'}`
        : `Redis ${this.redisVersion ?? '?'} is too old: otel-circuit-breaker requires Redis >= ${MIN_REDIS_MAJOR}; scripts reading TIME may be refused`,
    });
    if (this.listeners.length > 0) this.ensureSubscriber();
  }

  private ensureSubscriber(): void {
    if (this.subscriber !== undefined || this.closed) return;
    const name = this.options.connectionName ?? 'otel-cb';
    const sub = createClient(this.options, {
      connectionName: `${name}:sub`,
      subscriber: true,
      sharded: this.sharded,
    });
    this.subscriber = sub;
    sub.on('error', () => {});
    followProcessLifetime(sub, () => false);
    sub.on('ready', () => {
      if (this.subscribeFailed) {
        // Asked for while Redis refused us (e.g. a wrong password), the subscription failed and
        // ioredis does not resend it: ask again now, then resync what was published meanwhile.
        this.subscribeFailed = false;
        this.changeLog.forget();
        this.subscribed = this.listen(sub).then(() => this.emitReconnect());
      } else if (this.subscriberWasReady) {
        // Messages published while the subscriber was away are lost: resync on every reconnect.
        this.changeLog.forget();
        this.emitReconnect();
      }
      this.subscriberWasReady = true;
    });
    if (this.sharded) {
      sub.on('smessage', (channel: string, message: string) => this.deliver(channel, message));
    } else {
      sub.on('pmessage', (_pattern: string, channel: string, message: string) =>
        this.deliver(channel, message),
      );
    }
    this.subscribed = this.listen(sub);
  }

  /** Subscribes to every breaker's channel; a failure is retried on the next reconnect. */
  private async listen(sub: RedisClient): Promise<void> {
    const ok = this.sharded
      ? await this.ssubscribe([...this.watched])
      : await (sub as Redis).psubscribe(channelPattern(this.keyPrefix)).then(
          () => true,
          () => false,
        );
    if (!ok) this.subscribeFailed = true;
  }

  /** True when every channel was subscribed to. */
  private async ssubscribe(names: string[]): Promise<boolean> {
    const sub = this.subscriber as Cluster | undefined;
    if (sub === undefined) return false;
    // One SSUBSCRIBE per channel: channels of different breakers live in different slots.
    const results = await Promise.all(
      names.map((n) =>
        sub.ssubscribe(breakerKeys(this.keyPrefix, n).channel).then(
          () => true,
          () => false,
        ),
      ),
    );
    return results.every(Boolean);
  }

  private deliver(channel: string, message: string): void {
    const name = nameFromChannel(this.keyPrefix, channel);
    if (name === undefined) return;
    const parts = message.split('|');
    if (parts.length < 5) return;
    const state = toState(parts[0], parts[1], parts[2], parts[3], parts[4]);
    for (const listener of this.listeners) {
      try {
        listener({ name, ...state });
      } catch {
        // One listener's bug must not stop the others.
      }
    }
  }

  private emitReconnect(): void {
    for (const listener of [...this.reconnectListeners]) {
      try {
        listener();
      } catch {
        // Same as above.
      }
    }
  }

  private log(event: StoreLogEvent): void {
    try {
      this.options.log?.(event);
    } catch {
      // Logging never breaks the store.
    }
  }
}

function toState(
  state: unknown,
  epoch: unknown,
  remaining: unknown,
  reason: unknown,
  origin: unknown,
): SharedState {
  const s = String(state);
  return {
    state: (STATES.has(s) ? s : 'closed') as BreakerStateName,
    epoch: Number(epoch) || 0,
    openRemainingMs: Math.max(0, Number(remaining) || 0),
    ...(reason ? { reason: String(reason) } : {}),
    ...(origin ? { origin: String(origin) } : {}),
  };
}

/** Redis's answers to a wrong or missing password (`AUTH`, `HELLO`, or a command before either). */
function isAuthError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /^(WRONGPASS|NOAUTH)\b|invalid password|invalid username-password/i.test(message);
}

function isCluster(client: RedisClient): client is Cluster {
  return (client as Cluster).isCluster === true;
}

function waitReady(client: RedisClient): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => client.once('ready', () => resolve()));
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}

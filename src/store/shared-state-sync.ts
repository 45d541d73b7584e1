import type { CircuitBreaker, ProbeLease, SharedStateLink } from '../core/breaker.js';
import { openDurationMs } from '../core/policy.js';
import type { BreakerStateName } from '../core/state-names.js';
import type { Transition, TransitionReason } from '../core/transition.js';
import { OVERFLOW_BREAKER_NAME, type BreakerRegistry } from '../registry/breaker-registry.js';
import { INITIAL_SHARED_STATE, type SharedState, type StateStore } from './state-store.js';

export interface SharedStateSyncOptions {
  /** How often local outcome counts are flushed. Default 1000. */
  readonly flushIntervalMs?: number;
  /** Period of the safety-net resync, which reads only breakers that changed. Default 5000. */
  readonly resyncIntervalMs?: number;
  /** Jitter source for fleet open times. Default Math.random. */
  readonly random?: () => number;
}

export type { ProbeLease };

/** Local trips: decided on this instance's own counts. They reach the fleet only through a flush. */
const LOCAL_TRIPS = new Set<TransitionReason>([
  'consecutive_failures',
  'failure_rate',
  'slow_call_rate',
]);
/** Decided by people or by the server (Retry-After): the whole fleet follows at once. */
const FLEET_WIDE = new Set<TransitionReason>([
  'forced_open',
  'disabled',
  'reset',
  'retry_after',
  'quota_exhausted',
]);
const PROBE_RESULTS = new Set<TransitionReason>([
  'probe_succeeded',
  'probe_failed',
  'probe_timed_out',
]);
const LOCAL_LEASE: ProbeLease = { release() {} };

interface Tracked {
  readonly breaker: CircuitBreaker;
  /** Last fleet state this instance saw (its epoch orders everything this instance applies). */
  fleet: SharedState;
  /** Counter values at the last flush: the next flush sends the difference. */
  successes: number;
  failures: number;
  slowCalls: number;
  flushing: boolean;
  /** When counts were last sent (Date.now()); successes alone wait up to one window bucket. */
  flushedAt: number;
  /** A flush was asked for (a local trip) while one was in flight: run another right after it. */
  flushAgain: boolean;
  /** Set while a fleet change committed by this instance is applied locally: do not push it back. */
  adopting: boolean;
  /** A transition the fleet should have heard about while the store was unreachable. */
  pending: boolean;
  /** Pushes of one breaker run one after the other, each against the epoch the previous left. */
  queue: Promise<void>;
}

/**
 * Connects a BreakerRegistry to a StateStore (the `SharedStateLink` of the core). Calls never wait
 * on it: decisions stay local; outcomes are flushed every `flushIntervalMs`; fleet transitions
 * arrive by pub/sub and a resync every `resyncIntervalMs` (and on every reconnect).
 *
 * Ordering: the store's fleet epoch orders fleet transitions. The breaker's own epoch also counts
 * local-only transitions, so a fleet transition is applied with `breaker.epoch + 1` once this
 * class has decided (on fleet epochs) that it is new.
 */
export class SharedStateSync implements SharedStateLink {
  private readonly tracked = new Map<string, Tracked>();
  private registry: BreakerRegistry | undefined;
  private readonly flushIntervalMs: number;
  private readonly resyncIntervalMs: number;
  private readonly random: () => number;
  private timers: Array<ReturnType<typeof setInterval>> = [];
  /** A resync has listed what to read: from then on a newly tracked breaker is read on its own. */
  private looked = false;
  /** Breakers whose last resync read failed: read again at the next one, changed or not. */
  private readonly unread = new Set<string>();
  private runningResync: Promise<void> | undefined;
  private queuedResync: Promise<void> | undefined;
  private unsubscribe: Array<() => void> = [];

  constructor(
    readonly store: StateStore,
    options: SharedStateSyncOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.resyncIntervalMs = options.resyncIntervalMs ?? 5000;
    this.random = options.random ?? Math.random;
  }

  /** Links every breaker of `registry`, present and future, and starts the flush and resync timers. */
  attach(registry: BreakerRegistry): this {
    this.registry = registry;
    registry.setLink(this);
    this.unsubscribe.push(
      this.store.subscribe((m) => {
        const t = this.tracked.get(m.name);
        if (t !== undefined) this.applyFleet(t, m);
      }),
      this.store.onReconnect(() => void this.resync()),
    );
    for (const b of registry.list()) this.track(b);
    // The first look reads every breaker tracked by then (a store that connects later looks again).
    void this.resync();
    const flush = setInterval(() => void this.flushDue(), this.flushIntervalMs);
    const resync = setInterval(() => void this.resync(), this.resyncIntervalMs);
    flush.unref();
    resync.unref();
    this.timers.push(flush, resync);
    return this;
  }

  /** Stops the timers and unlinks the registry (the store is closed by its owner). */
  detach(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    this.registry?.setLink(undefined);
    this.registry = undefined;
  }

  /**
   * Starts following a breaker: subscribes to its channel and pulls its fleet state, so a new
   * instance sees an open circuit (and never resets it by starting). Idempotent.
   */
  track(breaker: CircuitBreaker): void {
    this.ensureTracked(breaker);
  }

  onLocalTransition(breaker: CircuitBreaker, transition: Transition): void {
    const t = this.ensureTracked(breaker);
    if (t.adopting) return;
    const reason = transition.reason;
    // Elapsed open time is derived from the shared openUntil by every instance: nothing to push.
    if (reason === 'open_timeout_elapsed') return;
    if (!this.store.health().available) {
      // The fleet cannot hear now; the local decision is the best there is. Pushed on reconnect.
      if (reason !== 'remote') t.pending = true;
      return;
    }
    if (LOCAL_TRIPS.has(reason)) {
      // One instance's trouble alone must not open the fleet: flush now and let fleet-wide counts decide.
      // A flush that did not reach the store (not connected yet: a trip in the first milliseconds)
      // leaves the decision to be pushed as soon as it connects, like one made while cut off.
      void this.flushOne(t).then((reached) => {
        if (!reached && t.breaker.currentState === 'open') t.pending = true;
      });
      return;
    }
    if (FLEET_WIDE.has(reason) || (PROBE_RESULTS.has(reason) && t.fleet.state === 'open')) {
      this.enqueue(t, () => this.push(t, transition.to, reason, transition.openMs));
    }
  }

  /**
   * The core's `SharedStateLink.acquireProbe` (core/breaker.ts): asked when a half-open breaker is
   * about to admit a probe. Fleet-wide budget while the fleet circuit is open; local budget only when the half-open
   * state is this instance's own, or the store is unreachable. `null` = do not probe.
   */
  async acquireProbe(breaker: CircuitBreaker): Promise<ProbeLease | null> {
    const t = this.ensureTracked(breaker);
    if (t.fleet.state !== 'open' || !this.store.health().available) return LOCAL_LEASE;
    const token = await this.store.acquirePermit(
      breaker.name,
      breaker.policy.halfOpenMaxCalls,
      breaker.policy.callTimeoutMs,
    );
    if (token === null) return null;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        void this.store.releasePermit(breaker.name, token);
      },
    };
  }

  /** Flushes every breaker's counts now (the timer flushes what is due every flushIntervalMs). */
  async flush(): Promise<void> {
    this.discover();
    await Promise.all([...this.tracked.values()].map((t) => this.flushOne(t)));
  }

  /** Something decided or counted here has not reached the store yet. */
  hasUnsentWork(): boolean {
    this.discover();
    for (const t of this.tracked.values()) {
      const c = t.breaker.counters;
      if (t.pending || t.flushing || c.successes !== t.successes || c.failures !== t.failures)
        return true;
    }
    return false;
  }

  /** Sends what has not reached the store yet: counts, then decisions made while cut off. */
  async drain(): Promise<void> {
    await this.flush();
    const pending = [...this.tracked.values()].filter((t) => t.pending);
    await Promise.all(
      pending.map((t) =>
        this.enqueue(t, async () => {
          await this.reconcile(t);
        }),
      ),
    );
  }

  /**
   * The timer's flush. Counts with a failure or a slow call go at once (with the successes before
   * them); successes alone wait until one window bucket has passed since the breaker's last flush:
   * a healthy host then costs Redis one script per bucket instead of one per flushIntervalMs.
   * Successes alone never trip the fleet, and they arrive at most one bucket late (the window's
   * own resolution); until they do, other instances' successes are missing from the fleet rate.
   */
  async flushDue(): Promise<void> {
    this.discover();
    const now = Date.now();
    await Promise.all(
      [...this.tracked.values()].map((t) => (this.mayWait(t, now) ? undefined : this.flushOne(t))),
    );
  }

  /**
   * Pulls the fleet state of every breaker that changed since the last resync (all of them the
   * first time and after a reconnect), and pushes what this instance decided while cut off. With
   * nothing changed it costs the store one look, whatever the number of breakers.
   */
  resync(): Promise<void> {
    // One at a time: two looks in flight would both read everything on the first one. A call
    // during a resync runs once after it (calls meanwhile share that one).
    if (this.queuedResync !== undefined) return this.queuedResync;
    if (this.runningResync === undefined) {
      // Store calls never reject, but a bug here must not escape into the app as unhandled.
      this.runningResync = this.resyncNow()
        .catch(() => {})
        .finally(() => {
          this.runningResync = undefined;
        });
      return this.runningResync;
    }
    this.queuedResync = this.runningResync.then(() => {
      this.queuedResync = undefined;
      return this.resync();
    });
    return this.queuedResync;
  }

  private async resyncNow(): Promise<void> {
    this.discover();
    const changes = await this.store.changes();
    if (changes === undefined) return;
    const due = [...this.tracked.values()].filter(
      (t) => t.pending || this.unread.has(t.breaker.name) || changes.changed(t.breaker.name),
    );
    this.looked = true;
    await Promise.all(
      due.map((t) =>
        this.enqueue(t, async () => {
          const name = t.breaker.name;
          this.unread.add(name);
          if (await this.reconcile(t)) this.unread.delete(name);
        }),
      ),
    );
    changes.commit();
  }

  /**
   * Applies a fleet change that was just committed on an operator's behalf (admin endpoint, see
   * RedisFleetControl): records the committed fleet state and changes this instance's breaker of
   * that name with `change` (e.g. `b => b.forceOpen()`, so it keeps its own reason), without
   * pushing it to the store again. Nothing happens locally when there is no such breaker.
   */
  adopt(name: string, committed: SharedState, change: (breaker: CircuitBreaker) => void): void {
    const breaker = this.registry?.peek(name);
    if (breaker === undefined) return;
    const t = this.ensureTracked(breaker);
    if (committed.epoch > t.fleet.epoch) t.fleet = committed;
    t.pending = false;
    t.adopting = true;
    try {
      change(breaker);
    } finally {
      t.adopting = false;
    }
  }

  /** The registry this link is attached to (undefined before attach / after detach). */
  get attachedRegistry(): BreakerRegistry | undefined {
    return this.registry;
  }

  /** Fleet state as this instance last saw it (for status and tests). */
  fleetState(name: string): SharedState | undefined {
    return this.tracked.get(name)?.fleet;
  }

  // ---- internals -------------------------------------------------------------------------

  private ensureTracked(breaker: CircuitBreaker): Tracked {
    const existing = this.tracked.get(breaker.name);
    if (existing !== undefined && existing.breaker === breaker) return existing;
    const c = breaker.counters;
    const t: Tracked = {
      breaker,
      fleet: INITIAL_SHARED_STATE,
      successes: c.successes,
      failures: c.failures,
      slowCalls: c.slowCalls,
      flushing: false,
      flushedAt: 0,
      flushAgain: false,
      adopting: false,
      pending: false,
      queue: Promise.resolve(),
    };
    this.tracked.set(breaker.name, t);
    this.store.watch(breaker.name);
    // Before the first look, that look reads it: a starting instance reads each breaker once.
    if (this.looked)
      void this.enqueue(t, async () => {
        const s = await this.store.read(breaker.name);
        if (s !== undefined) this.applyFleet(t, s);
      });
    return t;
  }

  /** Picks up breakers created since the last look and forgets evicted ones. */
  private discover(): void {
    const registry = this.registry;
    if (registry === undefined) return;
    for (const [name, t] of this.tracked)
      if (registry.peek(name) !== t.breaker) {
        this.tracked.delete(name);
        this.unread.delete(name);
      }
    for (const b of registry.list()) if (b.name !== OVERFLOW_BREAKER_NAME) this.ensureTracked(b);
  }

  private enqueue(t: Tracked, job: () => Promise<void>): Promise<void> {
    // Store calls never reject, but a bug here must not stall the queue or escape as unhandled.
    t.queue = t.queue.then(job).catch(() => {});
    return t.queue;
  }

  /** False when there were counts to send and the store did not take them. */
  private async flushOne(t: Tracked): Promise<boolean> {
    if (t.flushing) {
      // A local trip during a timer flush must still reach the fleet now, not a tick later.
      t.flushAgain = true;
      return true;
    }
    const b = t.breaker;
    const c = b.counters;
    const successes = c.successes - t.successes;
    const failures = c.failures - t.failures;
    const slowCalls = c.slowCalls - t.slowCalls;
    // The baseline moves first: a flush that fails or times out is never sent again (Redis may have applied it).
    t.successes = c.successes;
    t.failures = c.failures;
    t.slowCalls = c.slowCalls;
    if (successes + failures <= 0) return true;
    if (t.fleet.state !== 'closed') return true;
    if (!this.store.health().available) return false;
    const p = b.policy;
    t.flushing = true;
    t.flushedAt = Date.now();
    try {
      const r = await this.store.flush(b.name, {
        calls: successes + failures,
        failures,
        slowCalls,
        windowMs: p.windowSeconds * 1000,
        windowBuckets: p.windowBuckets,
        minimumCalls: p.minimumCalls,
        failureRateThreshold: p.failureRateThreshold,
        slowCallRateThreshold: p.slowCallRateThreshold,
        openMs: openDurationMs(p, 0, this.random),
      });
      if (r === undefined) return false;
      this.applyFleet(t, r.current);
      return true;
    } finally {
      t.flushing = false;
      if (t.flushAgain) {
        t.flushAgain = false;
        void this.flushOne(t);
      }
    }
  }

  private mayWait(t: Tracked, now: number): boolean {
    const c = t.breaker.counters;
    const p = t.breaker.policy;
    if (c.failures !== t.failures || c.slowCalls !== t.slowCalls) return false;
    // Half a tick early counts as due: timer ticks land a millisecond either side of the bucket.
    return (
      now - t.flushedAt < (p.windowSeconds * 1000) / p.windowBuckets - this.flushIntervalMs / 2
    );
  }

  private async push(
    t: Tracked,
    state: BreakerStateName,
    reason: string,
    openMs: number | undefined,
  ): Promise<void> {
    const r = await this.store.transition(t.breaker.name, {
      expectedEpoch: t.fleet.epoch,
      state,
      openMs,
      reason,
    });
    if (r === undefined) {
      t.pending = true;
      return;
    }
    t.pending = false;
    if (r.committed) {
      t.fleet = r.current;
      return;
    }
    if (r.current.epoch < t.fleet.epoch) {
      // The store lost its data (e.g. restarted without persistence): start over from what it has.
      t.fleet = r.current;
      t.pending = true;
      await this.reconcile(t);
      return;
    }
    // Another instance committed first: the fleet follows the winner, so does this instance.
    this.applyFleet(t, r.current);
  }

  /**
   * After a partition or on the periodic resync: what this instance decided while cut off is
   * pushed only if nobody committed anything newer meanwhile; otherwise the fleet state wins.
   */
  private async reconcile(t: Tracked): Promise<boolean> {
    const s = await this.store.read(t.breaker.name);
    if (s === undefined) return false;
    if (s.epoch < t.fleet.epoch) {
      t.fleet = s;
      t.pending = true;
    }
    if (t.pending && s.epoch === t.fleet.epoch) {
      t.pending = false;
      const local = t.breaker.currentState;
      if (local === 'open') await this.push(t, 'open', 'reconciled', t.breaker.retryAfterMs());
      else if (local === 'forced_open' || local === 'disabled')
        await this.push(t, local, 'reconciled', undefined);
      else if (local === 'closed' && s.state !== 'closed')
        await this.push(t, 'closed', 'reconciled', undefined);
      return true;
    }
    t.pending = false;
    this.applyFleet(t, s);
    return true;
  }

  /** Applies a fleet state newer than the last one seen, unless the breaker is already there. */
  private applyFleet(t: Tracked, s: SharedState): void {
    if (s.epoch <= t.fleet.epoch) return;
    t.fleet = s;
    const b = t.breaker;
    const local = b.currentState;
    if (local === s.state) return;
    // An open whose time has elapsed is half-open everywhere: the same state by another name.
    if (s.state === 'open' && s.openRemainingMs === 0 && local === 'half_open') return;
    b.applyRemote(s.state, b.epoch + 1, s.openRemainingMs);
  }
}

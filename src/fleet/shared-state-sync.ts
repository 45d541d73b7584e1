import type { CircuitBreaker, ProbeLease, SharedStateLink } from '../core/breaker.js';
import type { Transition } from '../core/transition.js';
import { OVERFLOW_BREAKER_NAME, type BreakerRegistry } from '../registry/breaker-registry.js';
import type { SharedState, StateStore } from '../store/state-store.js';
import { flushCounts, mayWait } from './count-flush.js';
import { pushTransition, reconcile } from './fleet-writes.js';
import { acquireCheckTurn, acquireFleetProbe, LOCAL_LEASE } from './probe-budget.js';
import { FLEET_WIDE, LOCAL_TRIPS, PROBE_RESULTS } from './transition-reasons.js';
import {
  applyFleet,
  enqueue,
  hasUnsentCounts,
  trackBreaker,
  type TrackedBreaker,
} from './tracked-breaker.js';

export interface SharedStateSyncOptions {
  /** How often local outcome counts are flushed. Default 1000. */
  readonly flushIntervalMs?: number;
  /** Period of the safety-net resync, which reads only breakers that changed. Default 5000. */
  readonly resyncIntervalMs?: number;
  /** Jitter source for fleet open times. Default Math.random. */
  readonly random?: () => number;
}

export type { ProbeLease };

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
  private readonly tracked = new Map<string, TrackedBreaker>();
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
        if (t !== undefined) applyFleet(t, m);
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
      void flushCounts(this.store, t, this.random).then((reached) => {
        if (!reached && t.breaker.currentState === 'open') t.pending = true;
      });
      return;
    }
    if (FLEET_WIDE.has(reason) || (PROBE_RESULTS.has(reason) && t.fleet.state === 'open')) {
      enqueue(t, () => pushTransition(this.store, t, transition.to, reason, transition.openMs));
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
    return acquireFleetProbe(this.store, breaker);
  }

  /**
   * Whether this instance runs `breaker`'s health check now: one instance per `holdMs` while the
   * fleet circuit is open (see acquireCheckTurn); every instance for an open state of its own.
   */
  async acquireCheckTurn(breaker: CircuitBreaker, holdMs: number): Promise<boolean> {
    const t = this.ensureTracked(breaker);
    if (t.fleet.state !== 'open') return true;
    return acquireCheckTurn(this.store, breaker.name, holdMs);
  }

  /** Flushes every breaker's counts now (the timer flushes what is due every flushIntervalMs). */
  async flush(): Promise<void> {
    this.discover();
    await Promise.all(
      [...this.tracked.values()].map((t) => flushCounts(this.store, t, this.random)),
    );
  }

  /** Something decided or counted here has not reached the store yet. */
  hasUnsentWork(): boolean {
    this.discover();
    for (const t of this.tracked.values())
      if (t.pending || t.flushing || hasUnsentCounts(t)) return true;
    return false;
  }

  /** Sends what has not reached the store yet: counts, then decisions made while cut off. */
  async drain(): Promise<void> {
    await this.flush();
    const pending = [...this.tracked.values()].filter((t) => t.pending);
    await Promise.all(
      pending.map((t) =>
        enqueue(t, async () => {
          await reconcile(this.store, t);
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
      [...this.tracked.values()].map((t) =>
        mayWait(t, now, this.flushIntervalMs) ? undefined : flushCounts(this.store, t, this.random),
      ),
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
        enqueue(t, async () => {
          const name = t.breaker.name;
          this.unread.add(name);
          if (await reconcile(this.store, t)) this.unread.delete(name);
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

  private ensureTracked(breaker: CircuitBreaker): TrackedBreaker {
    const existing = this.tracked.get(breaker.name);
    if (existing !== undefined && existing.breaker === breaker) return existing;
    const t = trackBreaker(breaker);
    this.tracked.set(breaker.name, t);
    this.store.watch(breaker.name);
    // Before the first look, that look reads it: a starting instance reads each breaker once.
    if (this.looked)
      void enqueue(t, async () => {
        const s = await this.store.read(breaker.name);
        if (s !== undefined) applyFleet(t, s);
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
}

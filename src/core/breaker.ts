import { systemClock, ensureSystemClockRunning, type Clock } from './clock.js';
import { createCircuitOpenError, type CircuitOpenError } from './errors.js';
import { rejectOnLaterTurn } from './later-turn.js';
import {
  classifyError,
  toClassification,
  type Classification,
  type ErrorClassifier,
  type FailureKind,
} from './outcome.js';
import type { FailureDetail, Permit } from './permit.js';
import { openDurationMs, resolvePolicy, strategiesFor, type BreakerPolicy } from './policy.js';
import { SlidingWindow } from './sliding-window.js';
import { CLOSED, DISABLED, isLegalTransition, type BreakerState } from './state-machine.js';
import type {
  BreakerStateName,
  Transition,
  TransitionListener,
  TransitionReason,
} from './states.js';
import type { TripStrategy } from './trip-strategy.js';
import { buildStatus, type BreakerStatus } from './breaker-status.js';
import { FailureKindCounts, TransitionCounts } from './transition-counts.js';

/** A fleet-wide half-open probe permit, released exactly once when the probe settles or expires. */
export interface ProbeLease {
  release(): void;
}

/** How much earlier than a server-given Retry-After the open time ends (see openForServerRequest). */
export const SERVER_WAIT_SLACK_MS = 10;

/**
 * The seam a shared store plugs into (see src/store). The breaker tells it about every local
 * transition; the store applies transitions made by other instances through `applyRemote`.
 */
export interface SharedStateLink {
  onLocalTransition(breaker: CircuitBreaker, transition: Transition): void;
  /** Called once when a breaker is linked, so the store can pull its fleet state before the first call. */
  track?(breaker: CircuitBreaker): void;
  /**
   * Asked before a half-open probe runs (after the local budget admitted it). `null` means no
   * fleet permit: the call is rejected. Must settle within the store's own timeout and never reject.
   * Only `execute()`/`wrap()`, `tryAcquire()` and the transports use it; sync `canRequest()` keeps the local budget.
   */
  acquireProbe?(breaker: CircuitBreaker): Promise<ProbeLease | null> | ProbeLease | null;
}

export interface CircuitBreakerOptions {
  readonly name: string;
  readonly policy?: BreakerPolicy;
  readonly clock?: Clock;
  /** Source of jitter; injected so tests are deterministic. */
  readonly random?: () => number;
  /** Maps an error thrown by the protected function to an outcome. */
  readonly classify?: ErrorClassifier;
  /** @internal */
  readonly link?: SharedStateLink;
}

let optionsCheck: ((options: CircuitBreakerOptions) => void) | undefined;

/**
 * Installs the check every `new CircuitBreaker(options)` runs first. The config layer owns the
 * schema (the same one config files are validated with) and installs it, so core needs none.
 */
export function setBreakerOptionsCheck(check: (options: CircuitBreakerOptions) => void): void {
  optionsCheck = check;
}

/** Monotonic counters since the breaker was created; metrics read them at collection time. */
export interface BreakerCounters {
  successes: number;
  failures: number;
  ignored: number;
  rejected: number;
  shadowRejections: number;
  slowCalls: number;
  opens: number;
}

/**
 * One circuit breaker. No timers: time is read when a decision is made, so an open circuit becomes
 * half-open when a call (or a status read) sees that its open time has passed.
 */
export class CircuitBreaker {
  readonly name: string;
  readonly policy: BreakerPolicy;
  readonly counters: BreakerCounters = {
    successes: 0,
    failures: 0,
    ignored: 0,
    rejected: 0,
    shadowRejections: 0,
    slowCalls: 0,
    opens: 0,
  };
  /** @internal */
  readonly transitions = new TransitionCounts();
  /** Failures by kind, for the `circuit_breaker.failures` metric. @internal */
  readonly failureKinds = new FailureKindCounts();
  /** @internal */
  readonly window: SlidingWindow;
  consecutiveFailures = 0;
  /** Incremented by every transition; outcomes of calls admitted in an older epoch do not move state. */
  epoch = 0;
  /** Monotonic ms of the last call or admission; the registry evicts breakers idle for long. */
  lastUsedAt: number;
  lastError: unknown = undefined;
  lastErrorAt: number | undefined = undefined;
  lastFailureKind: FailureKind | undefined = undefined;

  private state: BreakerState = CLOSED;
  /** The clock this breaker reads (the process's coarse clock unless one was injected). */
  readonly clock: Clock;
  private readonly random: () => number;
  private readonly classify: ErrorClassifier;
  private readonly strategies: readonly TripStrategy[];
  private readonly enforce: boolean;
  private reopenCount = 0;
  private nextProbeId = 1;
  private closedPermit: ClosedPermit;
  private readonly passPermit: PassPermit;
  private listeners: TransitionListener[] | undefined;
  private link: SharedStateLink | undefined;

  constructor(options: CircuitBreakerOptions) {
    optionsCheck?.(options);
    this.name = options.name;
    this.policy = options.policy ?? resolvePolicy();
    this.clock = options.clock ?? systemClock;
    if (this.clock === systemClock) ensureSystemClockRunning();
    this.random = options.random ?? Math.random;
    this.classify = options.classify ?? classifyError;
    this.link = options.link;
    this.strategies = strategiesFor(this.policy);
    this.enforce = this.policy.mode === 'enforce';
    const now = this.clock.now();
    this.lastUsedAt = now;
    this.window = new SlidingWindow(
      this.policy.windowSeconds * 1000,
      this.policy.windowBuckets,
      now,
    );
    this.closedPermit = new ClosedPermit(this, 0);
    this.passPermit = new PassPermit(this);
    if (this.link !== undefined) this.attachLink(this.link);
  }

  /** Current state; an elapsed open time is noticed here, so reading it is always up to date. */
  get currentState(): BreakerStateName {
    if (this.state.kind === 'open') this.checkOpenElapsed();
    else if (this.state.kind === 'half_open') this.expireStaleProbes(this.state);
    return this.state.kind;
  }

  /** Runs `fn` through the breaker. Rejects with CircuitOpenError when the circuit does not admit it. */
  execute<T>(fn: () => T | PromiseLike<T>): Promise<Awaited<T>> {
    if (this.state !== CLOSED) return this.executeWithPermit(fn);
    // Closed fast path: two coarse clock reads and one `then` on the caller's promise. (Measured:
    // cheaper than an async function, whose extra await and frame cost ~50 ns more per call.)
    const epoch = this.epoch;
    const start = this.clock.now();
    let result: T | PromiseLike<T>;
    try {
      result = fn();
    } catch (error) {
      this.settle(epoch, this.classifyThrown(error), 0, error);
      return Promise.reject(error);
    }
    if (!isPromiseLike(result)) {
      this.recordClosedSuccess(epoch, 0);
      return Promise.resolve(result as Awaited<T>);
    }
    return Promise.resolve(result).then(
      (value) => {
        this.recordClosedSuccess(epoch, this.clock.now() - start);
        return value;
      },
      (error: unknown) => {
        this.settle(epoch, this.classifyThrown(error), this.clock.now() - start, error);
        throw error;
      },
    ) as Promise<Awaited<T>>;
  }

  /** Returns a function with the same parameters that runs `fn` through the breaker. */
  wrap<A extends unknown[], R>(
    fn: (...args: A) => R | PromiseLike<R>,
  ): (...args: A) => Promise<Awaited<R>> {
    return (...args: A) => this.execute(() => fn(...args));
  }

  /**
   * Manual style: asks for permission to make one call. Returns a permit to settle with the call's
   * outcome, or `null` when the call must not be made (see `rejectionError()`).
   */
  canRequest(): Permit | null {
    const state = this.state;
    if (state === CLOSED) {
      this.lastUsedAt = this.clock.now();
      return this.closedPermit;
    }
    return this.admitSlow();
  }

  /** The error to reject a call with right now (for callers of `canRequest()` that got `null`). */
  rejectionError(): CircuitOpenError {
    return createCircuitOpenError({
      name: this.name,
      state: this.currentState,
      retryAfterMs: this.retryAfterMs(),
    });
  }

  /** Opens the circuit until `reset()`, whatever the calls do. */
  forceOpen(): void {
    this.transition({ kind: 'forced_open', openedAtWall: this.clock.wallNow() }, 'forced_open');
  }

  /** Lets every call through and keeps measuring, until `reset()`. */
  disable(): void {
    this.transition(DISABLED, 'disabled');
  }

  /** Back to closed with empty statistics. */
  reset(): void {
    this.transition(CLOSED, 'reset');
  }

  /**
   * Reports an outcome observed outside a permit (e.g. a Retry-After learned elsewhere). It counts
   * like a call admitted in the closed state: it moves state only while the circuit is closed.
   */
  recordFailure(error?: unknown, detail?: number | FailureDetail): void {
    this.closedPermit.recordFailure(error, detail);
  }

  recordSuccess(durationMs = 0): void {
    this.closedPermit.recordSuccess(durationMs);
  }

  /** Listens to this breaker's transitions; called synchronously. Returns an unsubscribe function. */
  onTransition(listener: TransitionListener): () => void {
    (this.listeners ??= []).push(listener);
    return () => {
      this.listeners = this.listeners?.filter((l) => l !== listener);
    };
  }

  /** @internal */
  setLink(link: SharedStateLink | undefined): void {
    this.link = link;
    if (link !== undefined) this.attachLink(link);
  }

  /**
   * Like `canRequest()`, but a half-open probe also asks the shared store for a fleet-wide permit,
   * which may take a round trip (bounded by the store's timeout). Closed and open decisions stay
   * synchronous; only a half-open admission with a shared store returns a promise.
   */
  tryAcquire(): Permit | null | Promise<Permit | null> {
    if (this.state === CLOSED) {
      this.lastUsedAt = this.clock.now();
      return this.closedPermit;
    }
    const permit = this.admitSlow();
    const gate = this.link?.acquireProbe;
    if (!(permit instanceof ProbePermit) || gate === undefined) return permit;
    let lease: ProbeLease | null | Promise<ProbeLease | null>;
    try {
      lease = gate.call(this.link, this);
    } catch {
      lease = null;
    }
    return isPromiseLike(lease)
      ? lease.then(
          (l) => this.leased(permit, l),
          () => this.leased(permit, null),
        )
      : this.leased(permit, lease);
  }

  status(): BreakerStatus {
    const kind = this.currentState;
    const now = this.clock.preciseNow();
    this.window.advance(now);
    return buildStatus(this, kind, this.state, now, this.clock.wallNow());
  }

  /** Brings the sliding window up to now, so its rates can be read without a whole status(). @internal */
  advanceWindow(): void {
    this.window.advance(this.clock.preciseNow());
  }

  /** Same as status(); lets `JSON.stringify(breaker)` give a useful snapshot. */
  toJSON(): BreakerStatus {
    return this.status();
  }

  /** Milliseconds until a probe may go through (0 if it could now or the wait is unknown). */
  retryAfterMs(): number {
    const state = this.state;
    if (state.kind !== 'open') return 0;
    return Math.max(0, Math.ceil(state.openUntil - this.clock.preciseNow()));
  }

  /**
   * Applies a state decided elsewhere (a shared store). Accepted only when `epoch` is newer than
   * ours, so late or duplicated messages are harmless. Does not call the link back.
   * @internal
   */
  applyRemote(to: BreakerStateName, epoch: number, openRemainingMs = 0): boolean {
    if (epoch <= this.epoch) return false;
    const now = this.clock.preciseNow();
    const next = this.stateFor(to, now, openRemainingMs);
    this.transition(next, 'remote', openRemainingMs, epoch);
    return true;
  }

  // ---- internals -------------------------------------------------------------------------

  private stateFor(to: BreakerStateName, now: number, openMs: number): BreakerState {
    switch (to) {
      case 'closed':
        return CLOSED;
      case 'disabled':
        return DISABLED;
      case 'forced_open':
        return { kind: 'forced_open', openedAtWall: this.clock.wallNow() };
      case 'open':
        return {
          kind: 'open',
          openedAt: now,
          openUntil: now + openMs,
          openedAtWall: this.clock.wallNow(),
        };
      case 'half_open':
        return { kind: 'half_open', since: now, inFlight: new Map(), successes: 0 };
    }
  }

  private executeWithPermit<T>(fn: () => T | PromiseLike<T>): Promise<Awaited<T>> {
    const permit = this.tryAcquire();
    // Rejected on a later event-loop turn: a caller retrying in a tight loop must not starve
    // timers, I/O and signals while the circuit is open (see later-turn.ts).
    if (permit === null) return rejectOnLaterTurn(this.rejectionError());
    if (isPromiseLike(permit)) {
      return permit.then((p) =>
        p === null
          ? rejectOnLaterTurn<Awaited<T>>(this.rejectionError())
          : this.runWithPermit(p, fn),
      );
    }
    return this.runWithPermit(permit, fn);
  }

  private attachLink(link: SharedStateLink): void {
    try {
      link.track?.(this);
    } catch {
      // The store counts its own errors; the breaker works on local state meanwhile.
    }
  }

  /** Completes a probe admission once the fleet answered: keep the permit with its lease, or give the slot back. */
  private leased(permit: ProbePermit, lease: ProbeLease | null): Permit | null {
    if (lease !== null && permit.attachLease(lease)) return permit;
    lease?.release();
    permit.withdraw();
    return this.reject();
  }

  private async runWithPermit<T>(
    permit: Permit,
    fn: () => T | PromiseLike<T>,
  ): Promise<Awaited<T>> {
    const start = this.clock.now();
    let result: Awaited<T>;
    try {
      result = await fn();
    } catch (error) {
      const c = this.classifyThrown(error);
      const durationMs = this.clock.now() - start;
      if (c.outcome === 'ignored') permit.recordIgnored();
      else if (c.outcome === 'success') permit.recordSuccess(durationMs);
      else permit.recordFailure(error, { durationMs, retryAfterMs: c.retryAfterMs, kind: c.kind });
      throw error;
    }
    permit.recordSuccess(this.clock.now() - start);
    return result;
  }

  private classifyThrown(error: unknown): Classification {
    try {
      return toClassification(this.classify(error));
    } catch {
      // A throwing user classifier must not turn into an app error; count the call as failed.
      return { outcome: 'failure', kind: 'error' };
    }
  }

  private admitSlow(): Permit | null {
    const state = this.state;
    this.lastUsedAt = this.clock.now();
    switch (state.kind) {
      case 'closed':
        return this.closedPermit;
      case 'disabled':
        return this.passPermit;
      case 'open':
        if (this.checkOpenElapsed()) return this.admitSlow();
        return this.reject();
      case 'half_open': {
        this.expireStaleProbes(state);
        if (this.state !== state) return this.reject();
        if (state.inFlight.size >= this.policy.halfOpenMaxCalls) return this.reject();
        const permit = new ProbePermit(this, state, this.nextProbeId++, this.clock.preciseNow());
        state.inFlight.set(permit.id, permit);
        return permit;
      }
      case 'forced_open':
        return this.reject();
    }
  }

  private reject(): Permit | null {
    if (this.enforce) {
      this.counters.rejected++;
      return null;
    }
    this.counters.shadowRejections++;
    return this.passPermit;
  }

  /** open → half_open once the open time has passed. Returns true when it moved. */
  private checkOpenElapsed(): boolean {
    const state = this.state;
    if (state.kind !== 'open') return false;
    const now = this.clock.preciseNow();
    if (now < state.openUntil) return false;
    this.transition(
      { kind: 'half_open', since: now, inFlight: new Map(), successes: 0 },
      'open_timeout_elapsed',
    );
    return true;
  }

  /** A probe unsettled for callTimeoutMs counts as failed, so half-open can never get stuck. */
  private expireStaleProbes(state: Extract<BreakerState, { kind: 'half_open' }>): void {
    if (state.inFlight.size === 0) return;
    const now = this.clock.preciseNow();
    for (const probe of state.inFlight.values()) {
      if (now - probe.admittedAt >= this.policy.callTimeoutMs) {
        this.noteFailure(undefined, 'timeout');
        this.trip('probe_timed_out', this.reopenCount + 1);
        return;
      }
    }
  }

  private recordClosedSuccess(epoch: number, durationMs: number): void {
    this.counters.successes++;
    const now = this.clock.now();
    this.lastUsedAt = now;
    if (epoch !== this.epoch) return;
    const slow = durationMs >= this.policy.slowCallDurationMs;
    this.window.record(now, false, slow);
    this.consecutiveFailures = 0;
    if (slow) {
      this.counters.slowCalls++;
      this.evaluateTrip();
    }
  }

  /** Applies a settled call admitted in the closed (or disabled) state in `epoch`. @internal */
  settle(epoch: number, c: Classification, durationMs: number, error?: unknown): void {
    if (c.outcome === 'success') return this.recordClosedSuccess(epoch, durationMs);
    if (c.outcome === 'ignored') {
      this.counters.ignored++;
      return;
    }
    this.noteFailure(error, c.kind);
    const now = this.clock.now();
    this.lastUsedAt = now;
    if (epoch !== this.epoch) return;
    const slow = durationMs >= this.policy.slowCallDurationMs;
    if (slow) this.counters.slowCalls++;
    this.window.record(now, true, slow);
    this.consecutiveFailures++;
    if (this.state !== CLOSED) return;
    if (this.openForServerRequest(c, 'retry_after')) return;
    this.evaluateTrip();
  }

  /** Settles a half-open probe. Called by ProbePermit exactly once. @internal */
  settleProbe(
    state: BreakerState,
    id: number,
    c: Classification,
    durationMs: number,
    error?: unknown,
  ): void {
    if (c.outcome === 'success') this.counters.successes++;
    else if (c.outcome === 'ignored') this.counters.ignored++;
    else this.noteFailure(error, c.kind);
    this.lastUsedAt = this.clock.now();
    // The probe was already released (timed out) or the state moved on: counted, nothing else.
    if (this.state !== state || state.kind !== 'half_open' || !state.inFlight.delete(id)) return;
    if (c.outcome === 'ignored') return;
    if (c.outcome === 'failure') {
      if (!this.openForServerRequest(c, 'probe_failed'))
        this.trip('probe_failed', this.reopenCount + 1);
      return;
    }
    if (durationMs >= this.policy.slowCallDurationMs) this.counters.slowCalls++;
    state.successes++;
    if (state.successes >= this.policy.successThreshold) this.transition(CLOSED, 'probe_succeeded');
  }

  /** Outcome of a call let through while disabled or in observe mode: measured, never decisive. @internal */
  settlePassThrough(c: Classification, durationMs: number, error?: unknown): void {
    if (this.state.kind === 'disabled') return this.settle(this.epoch, c, durationMs, error);
    if (c.outcome === 'success') this.counters.successes++;
    else if (c.outcome === 'ignored') this.counters.ignored++;
    else this.noteFailure(error, c.kind);
  }

  private noteFailure(error: unknown, kind: FailureKind | undefined): void {
    this.counters.failures++;
    this.lastError = error;
    this.lastErrorAt = this.clock.wallNow();
    this.lastFailureKind = kind ?? 'error';
    this.failureKinds.increment(this.lastFailureKind);
  }

  private evaluateTrip(): void {
    if (this.state !== CLOSED) return;
    for (const strategy of this.strategies) {
      if (strategy.shouldTrip(this)) {
        this.trip(strategy.reason, 0);
        return;
      }
    }
  }

  private trip(reason: TransitionReason, reopenCount: number): void {
    this.reopenCount = reopenCount;
    const openMs = openDurationMs(this.policy, reopenCount, this.random);
    this.openFor(openMs, reason);
  }

  /**
   * Opens for as long as the target said, when it said: an exhausted quota for quotaOpenSeconds
   * (uncapped), a Retry-After for exactly that long (capped) when honorRetryAfter is on.
   */
  private openForServerRequest(c: Classification, reason: TransitionReason): boolean {
    if (c.kind === 'quota') {
      this.openFor(
        this.policy.quotaOpenSeconds * 1000,
        reason === 'retry_after' ? 'quota_exhausted' : reason,
      );
      return true;
    }
    if (c.retryAfterMs === undefined || c.retryAfterMs <= 0 || !this.policy.honorRetryAfter)
      return false;
    // Timers fire up to a few ms early against the monotonic clock, so a client that waits exactly
    // the server's Retry-After must find the probe open: the open time ends a little early
    // (SERVER_WAIT_SLACK_MS, or 1% of a very short wait).
    const openMs = c.retryAfterMs - Math.min(SERVER_WAIT_SLACK_MS, c.retryAfterMs / 100);
    this.openFor(Math.min(openMs, this.policy.maxOpenSeconds * 1000), reason);
    return true;
  }

  private openFor(openMs: number, reason: TransitionReason): void {
    const now = this.clock.preciseNow();
    this.transition(
      { kind: 'open', openedAt: now, openUntil: now + openMs, openedAtWall: this.clock.wallNow() },
      reason,
      openMs,
    );
  }

  /** The only place state changes. */
  private transition(
    next: BreakerState,
    reason: TransitionReason,
    openMs?: number,
    epoch?: number,
  ): void {
    const previous = this.state;
    const from = previous.kind;
    if (reason !== 'remote' && !isLegalTransition(from, next.kind, reason)) return;
    this.state = next;
    // Probes of a half-open period that ended give their fleet permits back now, not at expiry.
    if (previous.kind === 'half_open')
      for (const probe of previous.inFlight.values()) probe.releaseLease();
    this.epoch = epoch ?? this.epoch + 1;
    if (next.kind === 'closed') {
      this.closedPermit = new ClosedPermit(this, this.epoch);
      this.consecutiveFailures = 0;
      this.reopenCount = 0;
      this.window.clear();
    } else if (next.kind === 'open' || next.kind === 'forced_open') {
      this.counters.opens++;
    } else if (next.kind === 'disabled') {
      this.closedPermit = new ClosedPermit(this, this.epoch);
    }
    this.transitions.increment(from, next.kind);
    const transition: Transition = {
      name: this.name,
      from,
      to: next.kind,
      reason,
      at: this.clock.wallNow(),
      epoch: this.epoch,
      ...(openMs !== undefined && next.kind === 'open' ? { openMs } : {}),
    };
    if (this.listeners !== undefined) {
      for (const listener of this.listeners) {
        try {
          listener(transition);
        } catch {
          // A listener's bug must never break the call that caused the transition.
        }
      }
    }
    if (reason !== 'remote' && this.link !== undefined) {
      try {
        this.link.onLocalTransition(this, transition);
      } catch {
        // The store counts its own errors; the call goes on with local state.
      }
    }
  }
}

function detailOf(detail: number | FailureDetail | undefined): FailureDetail {
  return typeof detail === 'number' ? { durationMs: detail } : (detail ?? {});
}

function failureClassification(detail: FailureDetail): Classification {
  return { outcome: 'failure', kind: detail.kind, retryAfterMs: detail.retryAfterMs };
}

const SUCCESS: Classification = { outcome: 'success' };
const IGNORED: Classification = { outcome: 'ignored' };

/** Shared by every call admitted in one closed epoch, so the closed path allocates nothing. */
class ClosedPermit implements Permit {
  constructor(
    private readonly breaker: CircuitBreaker,
    private readonly epoch: number,
  ) {}
  recordSuccess(durationMs = 0): void {
    this.breaker.settle(this.epoch, SUCCESS, durationMs);
  }
  recordFailure(error?: unknown, detail?: number | FailureDetail): void {
    const d = detailOf(detail);
    this.breaker.settle(this.epoch, failureClassification(d), d.durationMs ?? 0, error);
  }
  recordIgnored(): void {
    this.breaker.settle(this.epoch, IGNORED, 0);
  }
}

/** Calls let through while disabled or in observe mode. */
class PassPermit implements Permit {
  constructor(private readonly breaker: CircuitBreaker) {}
  recordSuccess(durationMs = 0): void {
    this.breaker.settlePassThrough(SUCCESS, durationMs);
  }
  recordFailure(error?: unknown, detail?: number | FailureDetail): void {
    const d = detailOf(detail);
    this.breaker.settlePassThrough(failureClassification(d), d.durationMs ?? 0, error);
  }
  recordIgnored(): void {
    this.breaker.settlePassThrough(IGNORED, 0);
  }
}

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** One half-open probe; settles once, later calls are no-ops. */
class ProbePermit implements Permit {
  private settled = false;
  private lease: ProbeLease | undefined;
  constructor(
    private readonly breaker: CircuitBreaker,
    private readonly state: Extract<BreakerState, { kind: 'half_open' }>,
    readonly id: number,
    readonly admittedAt: number,
  ) {}
  /** Keeps the fleet permit; false when the probe already ended while the store answered. */
  attachLease(lease: ProbeLease): boolean {
    if (this.settled || this.state.inFlight.get(this.id) !== this) return false;
    this.lease = lease;
    return true;
  }
  releaseLease(): void {
    const lease = this.lease;
    this.lease = undefined;
    lease?.release();
  }
  /** The fleet refused a permit: give the local slot back without any outcome. */
  withdraw(): void {
    this.settled = true;
    this.state.inFlight.delete(this.id);
  }
  recordSuccess(durationMs = 0): void {
    this.finish(SUCCESS, durationMs);
  }
  recordFailure(error?: unknown, detail?: number | FailureDetail): void {
    const d = detailOf(detail);
    this.finish(failureClassification(d), d.durationMs ?? 0, error);
  }
  recordIgnored(): void {
    this.finish(IGNORED, 0);
  }
  private finish(c: Classification, durationMs: number, error?: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.releaseLease();
    this.breaker.settleProbe(this.state, this.id, c, durationMs, error);
  }
}

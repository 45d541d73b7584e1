import {
  countFailure,
  countOutcome,
  countTransition,
  newCounters,
  type CallLedger,
} from './call-ledger.js';
import type { Clock } from './clock.js';
import { serverRequestedOpenMs } from './open-time.js';
import type { Classification, ErrorClassifier, FailureKind } from './outcome.js';
import { ClosedPermit, PassPermit, ProbePermit, type OutcomeSink, type Permit } from './permit.js';
import { openDurationMs, strategiesFor, type BreakerPolicy } from './policy.js';
import type { ProbeLease } from './shared-state-link.js';
import { SlidingWindow } from './sliding-window.js';
import type { BreakerStateName } from './state-names.js';
import {
  CLOSED,
  halfOpenRecord,
  openRecord,
  recordFor,
  type HalfOpenRecord,
  type StateRecord,
} from './state-record.js';
import type { TransitionSink } from './transition-fanout.js';
import { FailureKindCounts, TransitionCounts } from './transition-counts.js';
import { isLegalTransition, type Transition, type TransitionReason } from './transition.js';
import type { CallStats, TripStrategy } from './trip-strategy.js';

/**
 * The state machine behind one CircuitBreaker: admits calls, applies their outcomes, trips and
 * transitions. Internal to core: the breaker exposes what may be read of it, read-only.
 *
 * No timers: time is read when a decision is made, so an open circuit becomes half-open when a
 * call (or a status read) sees that its open time has passed.
 */
export class BreakerMachine implements CallStats, CallLedger, OutcomeSink {
  state: StateRecord = CLOSED;
  /** Incremented by every transition; outcomes of calls admitted in an older epoch do not move state. */
  epoch = 0;
  consecutiveFailures = 0;
  /** Monotonic ms of the last call (idle eviction); a number from the start, not a new heap number per call. */
  lastUsedAt = 0;
  readonly window: SlidingWindow;
  readonly counters = newCounters();
  readonly transitions = new TransitionCounts();
  readonly failureKinds = new FailureKindCounts();
  lastError: unknown = undefined;
  lastErrorAt: number | undefined = undefined;
  lastFailureKind: FailureKind | undefined = undefined;
  /** Shared by every call admitted in the current closed (or disabled) epoch. */
  closedPermit: ClosedPermit;
  private readonly passPermit: PassPermit;
  private readonly strategies: readonly TripStrategy[];
  private readonly enforce: boolean;
  /** Set when a health check probes for this breaker: user calls are then never the probe. */
  probesByCheck = false;
  /** Re-opens in a row without a close in between (back-off step of the current open period). */
  reopenCount = 0;
  private nextProbeId = 1;

  constructor(
    readonly name: string,
    readonly policy: BreakerPolicy,
    readonly clock: Clock,
    private readonly random: () => number,
    /** Maps an error thrown by a protected function to an outcome (the user's, or classifyError). */
    readonly classify: ErrorClassifier,
    private readonly fanout: TransitionSink,
  ) {
    this.strategies = strategiesFor(policy);
    this.enforce = policy.mode === 'enforce';
    const now = clock.now();
    this.lastUsedAt = now;
    this.window = new SlidingWindow(policy.windowSeconds * 1000, policy.windowBuckets, now);
    this.closedPermit = new ClosedPermit(this, 0);
    this.passPermit = new PassPermit(this);
  }

  /** The current state's name; an elapsed open time or a stale probe is noticed here. */
  currentKind(): BreakerStateName {
    const state = this.state;
    if (state.kind === 'open') this.checkOpenElapsed();
    else if (state.kind === 'half_open') this.expireStaleProbes(state);
    return this.state.kind;
  }

  /** The closed state's admission: small enough to be inlined into the callers' fast paths. */
  admitClosed(): Permit {
    this.lastUsedAt = this.clock.now();
    return this.closedPermit;
  }

  /** A permit for one call, or `null` when the call must not be made. */
  admit(): Permit | null {
    const state = this.state;
    this.lastUsedAt = this.clock.now();
    switch (state.kind) {
      case 'closed':
        return this.closedPermit;
      case 'disabled':
        return this.passPermit;
      case 'open':
        if (this.checkOpenElapsed()) return this.admit();
        return this.reject();
      case 'half_open': {
        this.expireStaleProbes(state);
        const full = state.inFlight.size >= this.policy.halfOpenMaxCalls;
        if (this.state !== state || full || this.probesByCheck) return this.reject();
        const permit = new ProbePermit(this, state, this.nextProbeId++, this.clock.preciseNow());
        state.inFlight.set(permit.id, permit);
        return permit;
      }
      case 'forced_open':
        return this.reject();
    }
  }

  /** Completes a probe admission once the fleet answered: keep the permit with its lease, or give the slot back. */
  keepProbe(permit: ProbePermit, lease: ProbeLease | null): Permit | null {
    if (lease !== null && permit.attachLease(lease)) return permit;
    lease?.release();
    permit.withdraw();
    return this.reject();
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
  checkOpenElapsed(): boolean {
    const state = this.state;
    if (state.kind !== 'open') return false;
    const now = this.clock.preciseNow();
    if (now < state.openUntil) return false;
    this.transition(halfOpenRecord(now), 'open_timeout_elapsed');
    return true;
  }

  /** A probe unsettled for callTimeoutMs counts as failed, so half-open can never get stuck. */
  private expireStaleProbes(state: HalfOpenRecord): void {
    if (state.inFlight.size === 0) return;
    const now = this.clock.preciseNow();
    for (const probe of state.inFlight.values()) {
      if (now - probe.admittedAt >= this.policy.callTimeoutMs) {
        countFailure(this, undefined, 'timeout', this.clock.wallNow());
        this.trip('probe_timed_out', this.reopenCount + 1);
        return;
      }
    }
  }

  /** A success admitted in the closed state in `epoch`: the common path, kept to a few field writes. */
  recordClosedSuccess(epoch: number, durationMs: number): void {
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

  settle(epoch: number, c: Classification, durationMs: number, error?: unknown): void {
    if (c.outcome === 'success') return this.recordClosedSuccess(epoch, durationMs);
    if (c.outcome === 'ignored') {
      this.counters.ignored++;
      return;
    }
    countFailure(this, error, c.kind, this.clock.wallNow());
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

  settleProbe(
    state: HalfOpenRecord,
    id: number,
    c: Classification,
    durationMs: number,
    error?: unknown,
  ): void {
    countOutcome(this, c, error, this.clock);
    this.lastUsedAt = this.clock.now();
    // The probe was already released (timed out) or the state moved on: counted, nothing else.
    if (this.state !== state || !state.inFlight.delete(id)) return;
    if (c.outcome === 'ignored') return;
    if (c.outcome === 'failure') {
      if (!this.openForServerRequest(c, 'probe_failed')) this.judgeProbe(state, false);
      return;
    }
    if (durationMs >= this.policy.slowCallDurationMs) this.counters.slowCalls++;
    this.judgeProbe(state, true);
  }

  /** A probe's verdict in `state` (a call or a health check): fail re-opens, enough passes close. */
  judgeProbe(state: HalfOpenRecord, passed: boolean): void {
    if (this.state !== state) return;
    if (!passed) return this.trip('probe_failed', this.reopenCount + 1);
    state.successes++;
    if (state.successes >= this.policy.successThreshold) this.transition(CLOSED, 'probe_succeeded');
  }

  /** Measured, never decisive. */
  settlePassThrough(c: Classification, durationMs: number, error?: unknown): void {
    if (this.state.kind === 'disabled') return this.settle(this.epoch, c, durationMs, error);
    countOutcome(this, c, error, this.clock);
  }

  /** Milliseconds until a probe may go through (0 if it could now or the wait is unknown). */
  retryAfterMs(): number {
    const state = this.state;
    if (state.kind !== 'open') return 0;
    return Math.max(0, Math.ceil(state.openUntil - this.clock.preciseNow()));
  }

  /** A state decided elsewhere, accepted only when `epoch` is newer than ours. */
  applyRemote(to: BreakerStateName, epoch: number, openRemainingMs: number): boolean {
    if (epoch <= this.epoch) return false;
    const next = recordFor(to, this.clock.preciseNow(), openRemainingMs, this.clock);
    this.transition(next, 'remote', openRemainingMs, epoch);
    return true;
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

  /** Opens with the backoff of the `reopenCount`-th re-open in a row (0 for a first trip). */
  private trip(reason: TransitionReason, reopenCount: number): void {
    this.reopenCount = reopenCount;
    this.openFor(openDurationMs(this.policy, reopenCount, this.random), reason);
  }

  /** Opens for as long as the target asked, when it asked (see serverRequestedOpenMs). */
  private openForServerRequest(c: Classification, reason: TransitionReason): boolean {
    const openMs = serverRequestedOpenMs(this.policy, c);
    if (openMs === undefined) return false;
    const quota = c.kind === 'quota' && reason === 'retry_after';
    this.openFor(openMs, quota ? 'quota_exhausted' : reason);
    return true;
  }

  private openFor(openMs: number, reason: TransitionReason): void {
    this.transition(openRecord(this.clock.preciseNow(), openMs, this.clock), reason, openMs);
  }

  /** The only place state changes. */
  transition(next: StateRecord, reason: TransitionReason, openMs?: number, epoch?: number): void {
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
    } else if (next.kind === 'disabled') {
      this.closedPermit = new ClosedPermit(this, this.epoch);
    }
    countTransition(this, from, next.kind);
    const transition: Transition = {
      name: this.name,
      from,
      to: next.kind,
      reason,
      at: this.clock.wallNow(),
      epoch: this.epoch,
      ...(openMs !== undefined && next.kind === 'open' ? { openMs } : {}),
    };
    this.fanout.emit(transition, reason !== 'remote');
  }
}

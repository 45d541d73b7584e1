import { BreakerMachine } from './breaker-machine.js';
import { buildSnapshot, type BreakerSnapshot } from './breaker-snapshot.js';
import type { BreakerCounters } from './call-ledger.js';
import { systemClock, ensureSystemClockRunning, type Clock } from './clock.js';
import { createCircuitOpenError, type CircuitOpenError } from './errors.js';
import { rejectOnLaterTurn } from './later-turn.js';
import { currentOpenMs } from './open-time.js';
import {
  classifyError,
  classifySafely,
  type ErrorClassifier,
  type FailureKind,
} from './outcome.js';
import { HealthCheckProbes } from './health-check-probes.js';
import { runUnderPermit, type FailureDetail, type Permit } from './permit.js';
import { resolvePolicy, type BreakerPolicy } from './policy.js';
import {
  admitWithProbeLease,
  isPromiseLike,
  type ProbeLease,
  type StoreLink,
} from './shared-state-link.js';
import type { SlidingWindow } from './sliding-window.js';
import type { BreakerStateName } from './state-names.js';
import { CLOSED, DISABLED, forcedOpenRecord } from './state-record.js';
import { TransitionFanout } from './transition-fanout.js';
import type { TransitionListener } from './transition.js';
import type { FailureKindCounts, TransitionCounts } from './transition-counts.js';

// The store's side of the seam names the breaker, its link and the lease from this one module.
export type { ProbeLease };
/** The seam a shared store plugs into (see StoreLink in shared-state-link.ts and src/store). */
export type SharedStateLink = StoreLink<CircuitBreaker>;

export interface CircuitBreakerOptions {
  readonly name: string;
  readonly policy?: BreakerPolicy;
  readonly clock?: Clock;
  /** Source of jitter; injected so tests are deterministic. */
  readonly random?: () => number;
  /** Maps an error thrown by the protected function to an outcome. */
  readonly classify?: ErrorClassifier;
  /** @internal The shared store's seam; set by the library's fleet sync. */
  readonly link?: SharedStateLink;
}

let optionsCheck: ((options: CircuitBreakerOptions) => void) | undefined;

/** Installs the check `new CircuitBreaker(options)` runs first: the config layer owns the schema. */
export function setBreakerOptionsCheck(check: (options: CircuitBreakerOptions) => void): void {
  optionsCheck = check;
}

/**
 * One circuit breaker: runs calls through it (`execute`, `wrap`) or hands out permits to settle by
 * hand (`canRequest`, `tryAcquire`). The decisions are made by its state machine (breaker-machine.ts);
 * what it counts is readable here and changes only through calls.
 */
export class CircuitBreaker {
  readonly name: string;
  readonly policy: BreakerPolicy;
  /** The clock this breaker reads (the process's coarse clock unless one was injected). */
  readonly clock: Clock;
  /** @internal A health check's hold on this breaker, once one took it (see `healthChecks`). */
  checks: HealthCheckProbes | undefined;
  private readonly machine: BreakerMachine;
  private readonly fanout: TransitionFanout<CircuitBreaker>;

  constructor(options: CircuitBreakerOptions) {
    optionsCheck?.(options);
    this.name = options.name;
    this.policy = options.policy ?? resolvePolicy();
    this.clock = options.clock ?? systemClock;
    if (this.clock === systemClock) ensureSystemClockRunning();
    this.fanout = new TransitionFanout<CircuitBreaker>(this);
    this.machine = new BreakerMachine(
      this.name,
      this.policy,
      this.clock,
      options.random ?? Math.random,
      options.classify ?? classifyError,
      this.fanout,
    );
    this.fanout.setLink(options.link);
  }

  /** Current state; an elapsed open time is noticed here, so reading it is always up to date. */
  get currentState(): BreakerStateName {
    return this.machine.currentKind();
  }
  /** Incremented by every transition; a shared store orders transitions by it. */
  get epoch(): number {
    return this.machine.epoch;
  }
  get consecutiveFailures(): number {
    return this.machine.consecutiveFailures;
  }
  /** Monotonic ms of the last call or admission; the registry evicts breakers idle for long. */
  get lastUsedAt(): number {
    return this.machine.lastUsedAt;
  }
  /** @internal */
  get window(): SlidingWindow {
    return this.machine.window;
  }
  get counters(): Readonly<BreakerCounters> {
    return this.machine.counters;
  }
  /** @internal */
  get transitions(): TransitionCounts {
    return this.machine.transitions;
  }
  /** @internal Failures by kind, for the `circuit_breaker.failures` metric. */
  get failureKinds(): FailureKindCounts {
    return this.machine.failureKinds;
  }
  get lastError(): unknown {
    return this.machine.lastError;
  }
  get lastErrorAt(): number | undefined {
    return this.machine.lastErrorAt;
  }
  get lastFailureKind(): FailureKind | undefined {
    return this.machine.lastFailureKind;
  }

  /** Runs `fn` through the breaker. Rejects with CircuitOpenError when the circuit does not admit it. */
  execute<T>(fn: () => T | PromiseLike<T>): Promise<Awaited<T>> {
    const machine = this.machine;
    if (machine.state !== CLOSED) return this.executeWithPermit(fn);
    // Closed fast path: two coarse clock reads and one `then` on the caller's promise. (Measured:
    // cheaper than an async function, whose extra await and frame cost ~50 ns more per call.)
    const epoch = machine.epoch;
    const start = machine.clock.now();
    let result: T | PromiseLike<T>;
    try {
      result = fn();
    } catch (error) {
      machine.settle(epoch, classifySafely(machine.classify, error), 0, error);
      return Promise.reject(error);
    }
    if (!isPromiseLike(result)) {
      machine.recordClosedSuccess(epoch, 0);
      return Promise.resolve(result as Awaited<T>);
    }
    return Promise.resolve(result).then(
      (value) => {
        machine.recordClosedSuccess(epoch, machine.clock.now() - start);
        return value;
      },
      (error: unknown) => {
        machine.settle(
          epoch,
          classifySafely(machine.classify, error),
          machine.clock.now() - start,
          error,
        );
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
    const machine = this.machine;
    return machine.state === CLOSED ? machine.admitClosed() : machine.admit();
  }

  /**
   * Like `canRequest()`, but a half-open probe also asks the shared store for a fleet-wide permit,
   * which may take a round trip (bounded by the store's timeout). Closed and open decisions stay
   * synchronous; only a half-open admission with a shared store returns a promise.
   */
  tryAcquire(): Permit | null | Promise<Permit | null> {
    const machine = this.machine;
    // The closed path stays a few bytes of bytecode: the transports inline it within V8's budget.
    return machine.state === CLOSED
      ? machine.admitClosed()
      : admitWithProbeLease(machine, this.fanout.link, this);
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
    this.machine.transition(forcedOpenRecord(this.clock), 'forced_open');
  }

  /** Lets every call through and keeps measuring, until `reset()`. */
  disable(): void {
    this.machine.transition(DISABLED, 'disabled');
  }

  /** Back to closed with empty statistics. */
  reset(): void {
    this.machine.transition(CLOSED, 'reset');
  }

  /**
   * Reports an outcome observed outside a permit (e.g. a Retry-After learned elsewhere). It counts
   * like a call admitted in the closed state: it moves state only while the circuit is closed.
   */
  recordFailure(error?: unknown, detail?: number | FailureDetail): void {
    this.machine.closedPermit.recordFailure(error, detail);
  }

  recordSuccess(durationMs = 0): void {
    this.machine.closedPermit.recordSuccess(durationMs);
  }

  /** Listens to this breaker's transitions; called synchronously. Returns an unsubscribe function. */
  onTransition(listener: TransitionListener): () => void {
    return this.fanout.add(listener);
  }

  /** @internal */
  setLink(link: SharedStateLink | undefined): void {
    this.fanout.setLink(link);
  }

  /**
   * Applies a state decided elsewhere (a shared store). Accepted only when `epoch` is newer than
   * ours, so late or duplicated messages are harmless. Does not call the link back.
   * @internal
   */
  applyRemote(to: BreakerStateName, epoch: number, openRemainingMs = 0): boolean {
    return this.machine.applyRemote(to, epoch, openRemainingMs);
  }

  status(): BreakerSnapshot {
    this.machine.currentKind(); // notices an elapsed open time or a stale probe first
    const now = this.clock.preciseNow();
    this.machine.window.advance(now);
    return buildSnapshot(this.name, this.machine, now, this.clock.wallNow());
  }

  /** @internal Brings the sliding window up to now, so its rates can be read without a whole status(). */
  advanceWindow(): void {
    this.machine.window.advance(this.clock.preciseNow());
  }

  /** Same as status(); lets `JSON.stringify(breaker)` give a useful snapshot. */
  toJSON(): BreakerSnapshot {
    return this.status();
  }

  /** Milliseconds until a probe may go through (0 if it could now or the wait is unknown). */
  retryAfterMs(): number {
    return this.machine.retryAfterMs();
  }

  /** @internal The hold a health check takes (src/transport/health-check), made on first use. */
  get healthChecks(): HealthCheckProbes {
    return (this.checks ??= new HealthCheckProbes(this.machine));
  }

  /** @internal Open time of the current open period, or of the one a trip would start now (open-time.ts). */
  openDurationMs(): number {
    return currentOpenMs(this.machine.state, this.policy, this.machine.reopenCount);
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
          : runUnderPermit(p, fn, this.clock, this.machine.classify),
      );
    }
    return runUnderPermit(permit, fn, this.clock, this.machine.classify);
  }
}

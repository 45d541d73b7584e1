import type { Clock } from './clock.js';
import {
  classifySafely,
  type Classification,
  type ErrorClassifier,
  type FailureKind,
} from './outcome.js';
import type { ProbeLease } from './shared-state-link.js';
import type { HalfOpenRecord } from './state-record.js';

/** Details a caller can give with a failure. */
export interface FailureDetail {
  /** How long the call took, for the slow-call rule. */
  readonly durationMs?: number;
  /** Server-requested wait; opens the circuit for that long when the policy honours Retry-After. */
  readonly retryAfterMs?: number;
  readonly kind?: FailureKind;
}

/**
 * Permission to make one call, returned by `canRequest()`. Settle it exactly once with one of the
 * record methods; settling again is a no-op. In the closed state the permit is shared by all calls
 * (no allocation per call); half-open probes each get their own so the probe budget stays exact.
 */
export interface Permit {
  recordSuccess(durationMs?: number): void;
  recordFailure(error?: unknown, detail?: number | FailureDetail): void;
  /** The call was abandoned by its caller (e.g. aborted): counts as neither success nor failure. */
  recordIgnored(): void;
}

/** What a permit reports its call's outcome to: the breaker's state machine, never the caller. */
export interface OutcomeSink {
  /** A call admitted in the closed (or disabled) state in `epoch`. */
  settle(epoch: number, c: Classification, durationMs: number, error?: unknown): void;
  /** `settle` of a success in the closed state: nearly every call of a healthy host. */
  recordClosedSuccess(epoch: number, durationMs: number): void;
  /** A half-open probe, exactly once. */
  settleProbe(
    state: HalfOpenRecord,
    id: number,
    c: Classification,
    durationMs: number,
    error?: unknown,
  ): void;
  /** A call let through while disabled or in observe mode. */
  settlePassThrough(c: Classification, durationMs: number, error?: unknown): void;
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
export class ClosedPermit implements Permit {
  constructor(
    private readonly sink: OutcomeSink,
    private readonly epoch: number,
  ) {}
  recordSuccess(durationMs = 0): void {
    this.sink.recordClosedSuccess(this.epoch, durationMs);
  }
  recordFailure(error?: unknown, detail?: number | FailureDetail): void {
    const d = detailOf(detail);
    this.sink.settle(this.epoch, failureClassification(d), d.durationMs ?? 0, error);
  }
  recordIgnored(): void {
    this.sink.settle(this.epoch, IGNORED, 0);
  }
}

/** Calls let through while disabled or in observe mode. */
export class PassPermit implements Permit {
  constructor(private readonly sink: OutcomeSink) {}
  recordSuccess(durationMs = 0): void {
    this.sink.settlePassThrough(SUCCESS, durationMs);
  }
  recordFailure(error?: unknown, detail?: number | FailureDetail): void {
    const d = detailOf(detail);
    this.sink.settlePassThrough(failureClassification(d), d.durationMs ?? 0, error);
  }
  recordIgnored(): void {
    this.sink.settlePassThrough(IGNORED, 0);
  }
}

/** One half-open probe; settles once, later calls are no-ops. */
export class ProbePermit implements Permit {
  private settled = false;
  private lease: ProbeLease | undefined;
  constructor(
    private readonly sink: OutcomeSink,
    private readonly state: HalfOpenRecord,
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
    this.sink.settleProbe(this.state, this.id, c, durationMs, error);
  }
}

/** Runs `fn` under `permit` and settles the permit with its outcome (every state but closed). */
export async function runUnderPermit<T>(
  permit: Permit,
  fn: () => T | PromiseLike<T>,
  clock: Clock,
  classify: ErrorClassifier,
): Promise<Awaited<T>> {
  const start = clock.now();
  let result: Awaited<T>;
  try {
    result = await fn();
  } catch (error) {
    const c = classifySafely(classify, error);
    const durationMs = clock.now() - start;
    if (c.outcome === 'ignored') permit.recordIgnored();
    else if (c.outcome === 'success') permit.recordSuccess(durationMs);
    else permit.recordFailure(error, { durationMs, retryAfterMs: c.retryAfterMs, kind: c.kind });
    throw error;
  }
  permit.recordSuccess(clock.now() - start);
  return result;
}

import type { CircuitBreaker } from '../core/breaker.js';
import { INITIAL_SHARED_STATE, type SharedState } from '../store/state-store.js';

/** What SharedStateSync keeps per breaker it follows. */
export interface TrackedBreaker {
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

/** Starts following `breaker`: nothing seen of the fleet yet, counts sent up to now. */
export function trackBreaker(breaker: CircuitBreaker): TrackedBreaker {
  const c = breaker.counters;
  return {
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
}

/** Counts made since the last flush are still to send. */
export function hasUnsentCounts(t: TrackedBreaker): boolean {
  const c = t.breaker.counters;
  return c.successes !== t.successes || c.failures !== t.failures;
}

/** Runs `job` after the breaker's earlier store jobs; a failing job never stalls the ones after it. */
export function enqueue(t: TrackedBreaker, job: () => Promise<void>): Promise<void> {
  // Store calls never reject, but a bug here must not stall the queue or escape as unhandled.
  t.queue = t.queue.then(job).catch(() => {});
  return t.queue;
}

/** Applies a fleet state newer than the last one seen, unless the breaker is already there. */
export function applyFleet(t: TrackedBreaker, s: SharedState): void {
  if (s.epoch <= t.fleet.epoch) return;
  t.fleet = s;
  const b = t.breaker;
  const local = b.currentState;
  if (local === s.state) return;
  // An open whose time has elapsed is half-open everywhere: the same state by another name.
  if (s.state === 'open' && s.openRemainingMs === 0 && local === 'half_open') return;
  b.applyRemote(s.state, b.epoch + 1, s.openRemainingMs);
}

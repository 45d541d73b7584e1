import type { CircuitBreaker } from '../../core/breaker.js';
// Monotonic time without loading Node's performance module (see core/clock.ts).
import { systemClock } from '../../core/clock.js';
import type { Transition } from '../../core/transition.js';
import type { ResolvedBreakerRule, ResolvedHealthCheck } from '../../config/resolved-config.js';
import type { BreakerRegistry } from '../../registry/breaker-registry.js';
import { sendCheck, type CheckAnswer } from './check-request.js';
import { withCheckSpan } from './check-span.js';

/** Whether this instance checks `breaker` now; a fleet hands out one turn per `holdMs`. */
export type CheckTurn = (breaker: CircuitBreaker, holdMs: number) => Promise<boolean>;

/** One host with a health check, and where its checking stands. */
interface CheckedHost {
  readonly name: string;
  readonly check: ResolvedHealthCheck;
  running: boolean;
  /** Monotonic time of the last attempt (checked, or lost the fleet's turn to another instance). */
  lastAttemptAt: number;
}

/** Shortest wait of the timer: an open time is read at 1 ms, a busy loop must not follow from it. */
const MIN_DELAY_MS = 10;

/**
 * Runs the health checks of every configured host that has one, with one timer for all of them
 * (unref'd: it never keeps a process alive). While a host's circuit is open its user calls never
 * probe; the check is sent when the open time has passed, then every `intervalSeconds` while
 * half-open, until `successThreshold` checks passed (closed) or one failed (open again, with the
 * usual backoff). With a shared store one instance of the fleet checks per interval while the
 * fleet circuit is open (acquireCheckTurn in src/fleet) and the others learn the verdict from the
 * transition it causes.
 */
export class HealthCheckScheduler {
  private readonly hosts: ReadonlyMap<string, CheckedHost>;
  private readonly abort = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private stopListening: (() => void) | undefined;

  constructor(
    rules: readonly ResolvedBreakerRule[],
    private readonly registry: BreakerRegistry,
    /** Without one, this instance always checks. */
    private readonly turn: CheckTurn | undefined,
  ) {
    const hosts = new Map<string, CheckedHost>();
    for (const { name, healthCheck } of rules) {
      if (healthCheck !== undefined)
        hosts.set(name, { name, check: healthCheck, running: false, lastAttemptAt: -Infinity });
    }
    this.hosts = hosts;
  }

  start(): this {
    for (const host of this.hosts.values()) this.breakerOf(host)?.healthChecks.takeOver();
    this.stopListening = this.registry.onTransition(this.onTransition);
    this.arm();
    return this;
  }

  /** Stops the timer and aborts checks in flight; the hosts' user calls probe again. */
  stop(): void {
    if (this.abort.signal.aborted) return;
    this.abort.abort();
    clearTimeout(this.timer);
    this.stopListening?.();
    for (const host of this.hosts.values()) this.breakerOf(host)?.healthChecks.release();
  }

  /** A breaker the registry created again (after eviction) is taken over on its first transition. */
  private readonly onTransition = (transition: Transition): void => {
    const host = this.hosts.get(transition.name);
    if (host === undefined || this.abort.signal.aborted) return;
    this.breakerOf(host)?.healthChecks.takeOver();
    // Not from inside the transition: reading a state may itself move it (open -> half_open).
    queueMicrotask(() => this.arm());
  };

  private breakerOf(host: CheckedHost): CircuitBreaker | undefined {
    return this.registry.peek(host.name);
  }

  /** Sets the one timer to the earliest moment any host is due. */
  private arm(): void {
    if (this.abort.signal.aborted) return;
    const now = systemClock.preciseNow();
    let due = Infinity;
    for (const host of this.hosts.values()) due = Math.min(due, this.dueAt(host, now));
    clearTimeout(this.timer);
    this.timer = undefined;
    if (due === Infinity) return;
    this.timer = setTimeout(this.run, Math.max(MIN_DELAY_MS, due - now));
    this.timer.unref();
  }

  private dueAt(host: CheckedHost, now: number): number {
    const breaker = this.breakerOf(host);
    if (host.running || breaker === undefined || !breaker.healthChecks.active) return Infinity;
    switch (breaker.currentState) {
      case 'open':
        return now + breaker.retryAfterMs();
      case 'half_open':
        return Math.max(now, host.lastAttemptAt + host.check.intervalMs);
      default:
        return Infinity;
    }
  }

  private readonly run = (): void => {
    this.timer = undefined;
    const now = systemClock.preciseNow();
    for (const host of this.hosts.values()) {
      const breaker = this.breakerOf(host);
      if (breaker !== undefined && this.dueAt(host, now) <= now) void this.checkOnce(host, breaker);
    }
    this.arm();
  };

  private async checkOnce(host: CheckedHost, breaker: CircuitBreaker): Promise<void> {
    host.running = true;
    host.lastAttemptAt = systemClock.preciseNow();
    try {
      // The turn lasts a little less than the interval, so the instance that checked finds it free
      // again at its next check and stays the checker while it lives.
      const turnMs = Math.max(1, Math.floor(host.check.intervalMs * 0.9));
      if (this.turn !== undefined && !(await this.turn(breaker, turnMs))) return;
      const state = breaker.healthChecks.begin();
      if (state === null || this.abort.signal.aborted) return;
      const result = await withCheckSpan(
        host.name,
        host.check,
        () => sendCheck(host.check, this.abort.signal),
        (answer: CheckAnswer) =>
          answer.status !== undefined && host.check.isExpectedStatus(answer.status)
            ? 'passed'
            : 'failed',
      );
      if (!this.abort.signal.aborted) breaker.healthChecks.settle(state, result === 'passed');
    } catch {
      // A check never throws into the app; the next one is due after the interval.
    } finally {
      host.running = false;
      this.arm();
    }
  }
}

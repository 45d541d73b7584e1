import type { StoreHealth, StoreLogEvent } from './state-store.js';
import { withTimeout } from './with-timeout.js';
import { logStoreEvent, storeUnavailableEvent } from './store-log.js';

export interface StoreCircuitBreakerOptions {
  readonly store: 'redis' | 'memory';
  readonly timeoutMs: number;
  /** Consecutive failures that mark the store unavailable. Default 3. */
  readonly failureThreshold?: number;
  /** While unavailable, one trial call is let through this often; the rest fail at once. Default 1000. */
  readonly cooldownMs?: number;
  readonly log?: (event: StoreLogEvent) => void;
  /** Called once each time the store becomes available again (reconcile then). */
  readonly onAvailable?: () => void;
}

/**
 * The circuit breaker around the store itself: a second, deliberately small breaker, not the core
 * CircuitBreaker. Every store call goes through `run`: raced against the timeout, its failure
 * counted and turned into `undefined`, never thrown. After a few failures in a row the store is
 * marked unavailable (one log event) and calls fail at once, except one trial per cooldown; the
 * first success marks it available again (one log event).
 *
 * Why not the core breaker: that one lives in a registry, reports metrics, spans and transition
 * logs, and its decisions are shared through this very store. The store's own breaker must do none
 * of that (its state is `health()`, read by the metrics helper), must never recurse into the store,
 * and needs only consecutive failures and a single trial per cooldown, which fit in this file.
 */
export class StoreCircuitBreaker {
  private available = true;
  private errors = 0;
  private consecutiveFailures = 0;
  private nextTrialAt = 0;
  private trialInFlight = false;
  private readonly failureThreshold: number;
  private readonly cooldownMs: number;

  constructor(private readonly options: StoreCircuitBreakerOptions) {
    this.failureThreshold = options.failureThreshold ?? 3;
    this.cooldownMs = options.cooldownMs ?? 1000;
  }

  health(): StoreHealth {
    return { available: this.available, errors: this.errors, store: this.options.store };
  }

  get isAvailable(): boolean {
    return this.available;
  }

  /** Runs `call` unless the store is known down; resolves `undefined` on any failure. */
  async run<T>(call: () => Promise<T>): Promise<T | undefined> {
    let trial = false;
    if (!this.available) {
      const now = Date.now();
      if (this.trialInFlight || now < this.nextTrialAt) return undefined;
      trial = true;
      this.trialInFlight = true;
      this.nextTrialAt = now + this.cooldownMs;
    }
    try {
      let promise: Promise<T>;
      try {
        promise = call();
      } catch (error) {
        promise = Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
      const value = await withTimeout(promise, this.options.timeoutMs);
      this.succeeded();
      return value;
    } catch (error) {
      this.failed(error);
      return undefined;
    } finally {
      if (trial) this.trialInFlight = false;
    }
  }

  /** The connection is back: let the next call through as a trial instead of waiting for the cooldown. */
  allowTrial(): void {
    this.nextTrialAt = 0;
  }

  /** The connection reported it is gone: no need to wait for calls to fail. */
  connectionLost(reason: string): void {
    // Counted once per loss: the calls refused while it is known down are not separate errors.
    if (this.available) this.errors++;
    this.markUnavailable(reason);
  }

  private succeeded(): void {
    this.consecutiveFailures = 0;
    if (this.available) return;
    this.available = true;
    this.emit({
      event: 'store.available',
      store: this.options.store,
      message: 'shared state store reachable again; reconciling',
    });
    try {
      this.options.onAvailable?.();
    } catch {
      // A listener's bug must not turn a successful store call into a failure.
    }
  }

  private failed(error: unknown): void {
    this.errors++;
    this.consecutiveFailures++;
    if (this.consecutiveFailures >= this.failureThreshold) {
      this.markUnavailable(error instanceof Error ? error.message : String(error));
    }
  }

  private markUnavailable(reason: string): void {
    if (!this.available) return;
    this.available = false;
    this.nextTrialAt = Date.now() + this.cooldownMs;
    this.emit(storeUnavailableEvent(this.options.store, reason));
  }

  private emit(event: StoreLogEvent): void {
    logStoreEvent(this.options.log, event);
  }
}

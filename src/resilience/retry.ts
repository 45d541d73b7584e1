import { setTimeout as timersSleep } from 'node:timers/promises';
import type { CircuitBreaker } from '../core/breaker.js';
import { isCircuitOpenError } from '../core/errors.js';
import type { Classification } from '../core/outcome.js';
import { checkRetryOptions, type ResilienceDefaults } from './resilience-options.js';

export interface RetryOptions {
  /** Attempts in all, the first included. Default 3. */
  readonly maxAttempts?: number;
  /** Backoff base: attempt n waits a random time in [0, min(maxDelayMs, baseDelayMs × 2^(n-1))). Default 250. */
  readonly baseDelayMs?: number;
  /** Upper bound of one backoff wait. Default 10,000. */
  readonly maxDelayMs?: number;
  /**
   * Longest server-requested wait (Retry-After) or remaining open time we are willing to wait
   * before the next attempt; a longer one ends the retries at once. Default 10,000.
   */
  readonly maxRetryAfterMs?: number;
  /**
   * The breaker the calls go through, or a client returned by `registerAgentClient`. No attempt is
   * made while it rejects calls (open, forced open): the retries stop with the last error, unless
   * it will let a probe through within `maxRetryAfterMs`, in which case we wait for that.
   */
  readonly breaker?: CircuitBreaker | object;
  /** Maps an error to an outcome; only `failure`s are retried. Default: the one `retry` was built with (`classifySdkError`). */
  readonly classify?: (error: unknown) => Classification;
  /** Last word on retrying `error` (after the rules below); undefined keeps the rules' answer. */
  readonly shouldRetry?: (
    error: unknown,
    attempt: number,
    classification: Classification,
  ) => boolean | undefined;
  /** Stops waiting and retrying when aborted; the last error is thrown. */
  readonly signal?: AbortSignal;
  /** Waits `ms`; injected by tests. Default: a timer (`node:timers/promises`). */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<unknown>;
  /** Source of jitter in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
  /** Told about each retry before its wait. */
  readonly onRetry?: (event: RetryEvent) => void;
}

export interface RetryEvent {
  /** The attempt that failed (1 for the first). */
  readonly attempt: number;
  readonly error: unknown;
  readonly delayMs: number;
  readonly classification: Classification;
}

/** Longest Retry-After (or remaining open time) `retry` waits by default: retries are for short blips. */
export const DEFAULT_MAX_RETRY_AFTER_MS = 10_000;

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<unknown> =>
  timersSleep(ms, undefined, signal === undefined ? undefined : { signal });

/** The `retry` helper: see createRetry. */
export type Retry = <T>(
  fn: (attempt: number) => T | PromiseLike<T>,
  options?: RetryOptions,
) => Promise<Awaited<T>>;

/**
 * Builds `retry`, which calls `fn` until it succeeds or a rule says stop. Exponential backoff with
 * full jitter between attempts; a Retry-After from the error is waited for exactly (up to
 * `maxRetryAfterMs`). Never retried: `CircuitOpenError` (the breaker already said no), quota
 * failures (waiting will not bring credit back), caller aborts and errors that are not failures
 * (4xx: the request is wrong). Never retries into an open circuit: with `breaker` set, each
 * attempt first checks that it admits calls. `defaults` gives the classifier used when the options
 * name none, and the breaker behind a wrapped client passed as `breaker`.
 */
export function createRetry(defaults: ResilienceDefaults): Retry {
  return async function retry<T>(
    fn: (attempt: number) => T | PromiseLike<T>,
    options: RetryOptions = {},
  ): Promise<Awaited<T>> {
    checkRetryOptions(options);
    const maxAttempts = options.maxAttempts ?? 3;
    const breaker = resolveBreaker(options.breaker, defaults);
    const sleep = options.sleep ?? defaultSleep;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(attempt);
      } catch (error) {
        if (attempt >= maxAttempts || isAborted(options.signal)) throw error;
        const plan = planRetry(error, attempt, options, defaults);
        if (plan === undefined) throw error;
        const delayMs =
          breaker === undefined ? plan.delayMs : waitForBreaker(breaker, plan.delayMs, options);
        if (delayMs === undefined) throw error;
        options.onRetry?.({ attempt, error, delayMs, classification: plan.classification });
        try {
          await sleep(delayMs, options.signal);
        } catch {
          throw error; // aborted while waiting: the caller gets the real failure, not the abort
        }
        if (isAborted(options.signal)) throw error;
        if (breaker !== undefined && isRejecting(breaker)) throw error;
      }
    }
  };
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function planRetry(
  error: unknown,
  attempt: number,
  options: RetryOptions,
  defaults: ResilienceDefaults,
): { delayMs: number; classification: Classification } | undefined {
  if (isCircuitOpenError(error)) return undefined;
  const classification = (options.classify ?? defaults.classify)(error);
  let retryable = classification.outcome === 'failure' && classification.kind !== 'quota';
  const override = options.shouldRetry?.(error, attempt, classification);
  if (override !== undefined) retryable = override;
  if (!retryable) return undefined;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  if (classification.retryAfterMs !== undefined) {
    // Retrying before the server's time is up only earns another 429; waiting longer than allowed is not ours to do.
    if (classification.retryAfterMs > maxRetryAfterMs) return undefined;
    return { delayMs: classification.retryAfterMs, classification };
  }
  const base = options.baseDelayMs ?? 250;
  const ceiling = Math.min(options.maxDelayMs ?? 10_000, base * 2 ** (attempt - 1));
  return { delayMs: Math.floor((options.random ?? Math.random)() * ceiling), classification };
}

/** The wait before the next attempt given the breaker's state, or undefined when retrying is pointless. */
function waitForBreaker(
  breaker: CircuitBreaker,
  delayMs: number,
  options: RetryOptions,
): number | undefined {
  if (!isRejecting(breaker)) return delayMs;
  const state = breaker.currentState;
  if (state === 'forced_open') return undefined;
  const remaining = breaker.retryAfterMs();
  if (remaining > (options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS)) return undefined;
  return Math.max(delayMs, remaining);
}

/** True when the breaker would reject a call now (observe mode never does). */
function isRejecting(breaker: CircuitBreaker): boolean {
  if (breaker.policy.mode !== 'enforce') return false;
  const state = breaker.currentState;
  return state === 'open' || state === 'forced_open';
}

function resolveBreaker(
  value: CircuitBreaker | object | undefined,
  defaults: ResilienceDefaults,
): CircuitBreaker | undefined {
  if (value === undefined) return undefined;
  if (typeof (value as { canRequest?: unknown }).canRequest === 'function')
    return value as CircuitBreaker;
  const breaker = defaults.breakerOf(value);
  if (breaker === undefined)
    throw new TypeError(
      'retry: `breaker` must be a CircuitBreaker or a client from registerAgentClient',
    );
  return breaker;
}

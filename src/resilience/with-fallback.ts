import { systemClock, type Clock } from '../core/clock.js';
import { isCircuitOpenError } from '../core/errors.js';
import type { Classification } from '../core/outcome.js';
import { checkFallbackArgs, type ResilienceDefaults } from './resilience-options.js';

export interface FallbackOptions<A extends unknown[], T> {
  /**
   * What to answer instead: a value, or a function of the error and the call's arguments (which may
   * itself call another provider). To answer with a function value, return it from a function.
   */
  readonly fallback?: T | ((error: unknown, ...args: A) => T | PromiseLike<T>);
  /** Answer with the last successful result, if it is at most this old, before trying `fallback`. */
  readonly lastGoodTtlMs?: number;
  /** Key of the last-good cache for a call's arguments. Default: one entry for all calls. */
  readonly cacheKey?: (...args: A) => string;
  /** Most cached keys; the oldest goes first. Default 1000. */
  readonly maxCacheEntries?: number;
  /**
   * `failure` (default): fall back when the circuit is open or the call failed (by `classify`);
   * `open`: only when the circuit is open. Never on a caller abort or an error that is not a
   * failure (a 400 is a bug to see, not to paper over).
   */
  readonly when?: 'failure' | 'open';
  /** Maps an error to an outcome. Default: the one `withFallback` was built with (`classifySdkError`). */
  readonly classify?: (error: unknown) => Classification;
  /** Time source for the cache TTL. Default: the system clock. */
  readonly clock?: Clock;
  /** Told each time a fallback answer is used. */
  readonly onFallback?: (event: FallbackEvent) => void;
}

export interface FallbackEvent {
  readonly error: unknown;
  /** `last-good`: a cached earlier result; `fallback`: the configured value or function. */
  readonly source: 'last-good' | 'fallback';
}

interface CachedResult<T> {
  readonly value: T;
  readonly at: number;
}

/** The `withFallback` helper: see createWithFallback. */
export type WithFallback = <A extends unknown[], T>(
  fn: (...args: A) => T | PromiseLike<T>,
  options: FallbackOptions<A, T>,
) => (...args: A) => Promise<Awaited<T>>;

/** Builds `withFallback` with the classifier used when the options name none (`classify`). */
export function createWithFallback(defaults: Pick<ResilienceDefaults, 'classify'>): WithFallback {
  return (fn, options) => withFallback(defaults, fn, options);
}

/**
 * Wraps `fn` so that when its circuit is open or the call fails, the caller gets a fallback answer
 * instead of the error: the last good result (if fresh), else `fallback`. Errors that are not
 * eligible (see `when`) and errors with no fallback available are rethrown unchanged.
 *
 * ```ts
 * const ask = withFallback((q: string) => primary.chat.completions.create(request(q)), {
 *   fallback: (_error, q) => secondary.chat.completions.create(request(q)),
 * });
 * ```
 */
function withFallback<A extends unknown[], T>(
  defaults: Pick<ResilienceDefaults, 'classify'>,
  fn: (...args: A) => T | PromiseLike<T>,
  options: FallbackOptions<A, T>,
): (...args: A) => Promise<Awaited<T>> {
  checkFallbackArgs(fn, options);
  const hasFallback = 'fallback' in options;
  const ttl = options.lastGoodTtlMs;
  if (!hasFallback && ttl === undefined) {
    throw new TypeError(
      'withFallback: give `fallback` (a value or a function) and/or `lastGoodTtlMs`',
    );
  }
  const clock = options.clock ?? systemClock;
  const classify = options.classify ?? defaults.classify;
  const maxEntries = options.maxCacheEntries ?? 1000;
  const cache = new Map<string, CachedResult<Awaited<T>>>();

  const eligible = (error: unknown): boolean => {
    if (isCircuitOpenError(error)) return true;
    if (options.when === 'open') return false;
    return classify(error).outcome === 'failure';
  };

  return async (...args: A): Promise<Awaited<T>> => {
    const key = ttl === undefined ? '' : (options.cacheKey?.(...args) ?? '');
    try {
      const value = await fn(...args);
      if (ttl !== undefined) remember(cache, key, { value, at: clock.preciseNow() }, maxEntries);
      return value;
    } catch (error) {
      if (!eligible(error)) throw error;
      if (ttl !== undefined) {
        const cached = cache.get(key);
        if (cached !== undefined && clock.preciseNow() - cached.at <= ttl) {
          options.onFallback?.({ error, source: 'last-good' });
          return cached.value;
        }
      }
      if (!hasFallback) throw error;
      options.onFallback?.({ error, source: 'fallback' });
      const fallback = options.fallback;
      if (typeof fallback === 'function') {
        return await (fallback as (error: unknown, ...args: A) => T | PromiseLike<T>)(
          error,
          ...args,
        );
      }
      return fallback as Awaited<T>;
    }
  };
}

function remember<T>(
  cache: Map<string, CachedResult<T>>,
  key: string,
  entry: CachedResult<T>,
  maxEntries: number,
): void {
  cache.delete(key); // re-insert so Map order is oldest-first
  cache.set(key, entry);
  if (cache.size > maxEntries) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
}

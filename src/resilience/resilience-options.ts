import type { CircuitBreaker } from '../core/breaker.js';
import type { Classification } from '../core/outcome.js';
import { integerField, numberField } from '../config/field-specs.js';
import { strictObject } from '../config/schema.js';
import { argsObject, clockSchema, functionSchema, parseCodeArgs } from '../config/validate-code.js';
import { custom, oneOf, optional, unknown } from '../config/validator.js';

/**
 * What the helpers are built with (src/index.ts passes the SDK error classifier and the agent
 * client lookup): the helpers know no SDK and no agent client themselves.
 */
export interface ResilienceDefaults {
  /** Maps an error to an outcome when the options give no `classify`. */
  readonly classify: (error: unknown) => Classification;
  /** The breaker protecting a wrapped client passed as `breaker`; undefined when it has none. */
  readonly breakerOf: (client: object) => CircuitBreaker | undefined;
}

// retry() and withFallback() options, validated like the config. A NaN maxAttempts retried forever
// and a NaN maxCacheEntries never evicted: numbers must be finite and within bounds.

const fn = (what: string) => optional(functionSchema(what));

const retryArgs = argsObject({
  options: strictObject(
    {
      maxAttempts: optional(integerField(1, 1000, '').schema),
      baseDelayMs: optional(numberField(0, 3_600_000, '').schema),
      maxDelayMs: optional(numberField(0, 3_600_000, '').schema),
      maxRetryAfterMs: optional(numberField(0, 86_400_000, '').schema),
      breaker: optional(
        custom<object>(
          (v) => typeof v === 'object' && v !== null,
          'expected a CircuitBreaker or a client from registerAgentClient',
        ),
      ),
      classify: fn('a function (error) => Classification'),
      shouldRetry: fn('a function (error, attempt, classification) => boolean | undefined'),
      signal: optional(
        custom<AbortSignal>((v) => v instanceof AbortSignal, 'expected an AbortSignal'),
      ),
      sleep: fn('a function (ms, signal) => Promise'),
      random: fn('a function returning a number in [0, 1)'),
      onRetry: fn('a function (event) => void'),
    },
    'RetryOptions',
  ),
});

/** Options objects already checked: callers usually pass the same one to every call. */
const checkedRetryOptions = new WeakSet<object>();

export function checkRetryOptions(options: object): void {
  if (checkedRetryOptions.has(options)) return;
  parseCodeArgs('retry', retryArgs, { options });
  checkedRetryOptions.add(options);
}

const fallbackArgs = argsObject({
  fn: functionSchema('the function to protect'),
  options: strictObject(
    {
      fallback: optional(unknown),
      lastGoodTtlMs: optional(numberField(0, 7 * 86_400_000, '').schema),
      cacheKey: fn('a function (...args) => string'),
      maxCacheEntries: optional(integerField(1, 1_000_000, '').schema),
      when: optional(oneOf(['failure', 'open'], 'expected one of "failure", "open"')),
      classify: fn('a function (error) => Classification'),
      clock: optional(clockSchema),
      onFallback: fn('a function (event) => void'),
    },
    'FallbackOptions',
  ),
});

/** withFallback runs once per wrapped function, so its options are checked every time. */
export function checkFallbackArgs(fn: unknown, options: unknown): void {
  parseCodeArgs('withFallback', fallbackArgs, { fn, options });
}

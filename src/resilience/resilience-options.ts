import type { CircuitBreaker } from '../core/breaker.js';
import type { Classification } from '../core/outcome.js';
import { integerField, numberField } from '../config/field-specs.js';
import { strictObject } from '../config/schema.js';
import { onDemand } from '../config/zod-on-demand.js';
import { clockSchema, functionSchema, parseCodeArgs } from '../config/validate-code.js';

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

const fn = (what: string) => functionSchema(what).optional();

const retryArgs = onDemand((z) =>
  z.object({
    options: strictObject(
      {
        maxAttempts: integerField(1, 1000, '').schema.optional(),
        baseDelayMs: numberField(0, 3_600_000, '').schema.optional(),
        maxDelayMs: numberField(0, 3_600_000, '').schema.optional(),
        maxRetryAfterMs: numberField(0, 86_400_000, '').schema.optional(),
        breaker: z
          .custom<object>((v) => typeof v === 'object' && v !== null, {
            error: 'expected a CircuitBreaker or a client from registerAgentClient',
          })
          .optional(),
        classify: fn('a function (error) => Classification'),
        shouldRetry: fn('a function (error, attempt, classification) => boolean | undefined'),
        signal: z
          .custom<AbortSignal>((v) => v instanceof AbortSignal, {
            error: 'expected an AbortSignal',
          })
          .optional(),
        sleep: fn('a function (ms, signal) => Promise'),
        random: fn('a function returning a number in [0, 1)'),
        onRetry: fn('a function (event) => void'),
      },
      'RetryOptions',
    ),
  }),
);

/** Options objects already checked: callers usually pass the same one to every call. */
const checkedRetryOptions = new WeakSet<object>();

export function checkRetryOptions(options: object): void {
  if (checkedRetryOptions.has(options)) return;
  parseCodeArgs('retry', retryArgs(), { options });
  checkedRetryOptions.add(options);
}

const fallbackArgs = onDemand((z) =>
  z.object({
    fn: functionSchema('the function to protect'),
    options: strictObject(
      {
        fallback: z.unknown().optional(),
        lastGoodTtlMs: numberField(0, 7 * 86_400_000, '').schema.optional(),
        cacheKey: fn('a function (...args) => string'),
        maxCacheEntries: integerField(1, 1_000_000, '').schema.optional(),
        when: z
          .enum(['failure', 'open'], { error: 'expected one of "failure", "open"' })
          .optional(),
        classify: fn('a function (error) => Classification'),
        clock: clockSchema().optional(),
        onFallback: fn('a function (event) => void'),
      },
      'FallbackOptions',
    ),
  }),
);

/** withFallback runs once per wrapped function, so its options are checked every time. */
export function checkFallbackArgs(fn: unknown, options: unknown): void {
  parseCodeArgs('withFallback', fallbackArgs(), { fn, options });
}

import { PRESET_NAMES, type BreakerPolicy } from '../core/policy.js';
import {
  boolean,
  fail,
  number,
  oneOf,
  string,
  type StringRule,
  type Validator,
} from './validator.js';

/**
 * One configurable leaf: its schema, what is allowed (in words, for error messages) and what it does
 * (for docs and the env var table). Every message of the schema is `expected <allowed>`, whichever
 * check failed, so a user sees the whole rule at once rather than the first bound they crossed.
 */
export interface FieldSpec<T = unknown> {
  readonly schema: Validator<T>;
  /** How an env var spells it: decides how the env var's text is read before validation. */
  readonly type: FieldType;
  readonly allowed: string;
  readonly doc: string;
}

export type FieldType = 'integer' | 'number' | 'boolean' | 'string';

export function integerField(
  min: number,
  max: number,
  doc: string,
  allowed?: string,
): FieldSpec<number> {
  const words = allowed ?? `an integer from ${min} to ${max}`;
  return {
    schema: number(`expected ${words}`, min, max, { integer: true }),
    type: 'integer',
    allowed: words,
    doc,
  };
}

/** A finite number in [min, max], or (min, max] when `aboveMin`, or [min, max) when `belowMax` (not both). */
export function numberField(
  min: number,
  max: number,
  doc: string,
  bounds: { aboveMin?: boolean; belowMax?: boolean } = {},
): FieldSpec<number> {
  const allowed = bounds.aboveMin
    ? `a number greater than ${min} and at most ${max}`
    : bounds.belowMax
      ? `a number at least ${min} and below ${max}`
      : `a number from ${min} to ${max}`;
  return { schema: number(`expected ${allowed}`, min, max, bounds), type: 'number', allowed, doc };
}

export function oneOfField<const T extends readonly [string, ...string[]]>(
  values: T,
  doc: string,
): FieldSpec<T[number]> {
  const allowed = `one of ${values.map((v) => `"${v}"`).join(', ')}`;
  return { schema: oneOf(values, `expected ${allowed}`), type: 'string', allowed, doc };
}

export function booleanField(doc: string): FieldSpec<boolean> {
  return {
    schema: boolean('expected true or false'),
    type: 'boolean',
    allowed: 'true or false',
    doc,
  };
}

/** A string matching `pattern` (described by `allowed`), passing the `more` rules too. */
export function stringField(
  pattern: RegExp,
  allowed: string,
  doc: string,
  more: readonly StringRule[] = [],
): FieldSpec<string> {
  const error = `expected ${allowed}`;
  return { schema: string(error, [[pattern, error], ...more]), type: 'string', allowed, doc };
}

const SECONDS_MAX = 86_400;
const MS_MAX = 86_400_000;

/**
 * Every BreakerPolicy field. `satisfies` makes a new core field a compile error here until it is
 * given bounds and docs (and so an env var, a row in the docs and a row in the bad-value test).
 */
export const POLICY_FIELDS = {
  failureThreshold: integerField(
    0,
    10_000,
    'Failures in a row that open the circuit; 0 turns this rule off.',
  ),
  failureRateThreshold: numberField(
    0,
    1,
    'Failure ratio over the window that opens the circuit; 0 turns this rule off.',
  ),
  windowSeconds: integerField(
    1,
    SECONDS_MAX,
    'Length of the sliding window of the rate rules, in seconds.',
  ),
  windowBuckets: integerField(1, 1000, 'Buckets the window is divided into (its time resolution).'),
  minimumCalls: integerField(
    1,
    1_000_000,
    'Calls the window must hold before a rate rule may trip.',
  ),
  slowCallDurationMs: integerField(
    1,
    MS_MAX,
    'A call whose response headers take at least this long (ms, timed to ~10 ms) is slow.',
  ),
  slowCallRateThreshold: numberField(
    0,
    1,
    'Slow-call ratio over the window that opens the circuit; 0 turns this rule off.',
  ),
  openSeconds: numberField(0, SECONDS_MAX, 'Open time after the first trip, in seconds.', {
    aboveMin: true,
  }),
  backoffMultiplier: numberField(
    1,
    100,
    'Each re-open without a close in between multiplies the open time by this.',
  ),
  maxOpenSeconds: numberField(
    0,
    SECONDS_MAX,
    'Upper bound of the open time (also for Retry-After); at least openSeconds.',
    {
      aboveMin: true,
    },
  ),
  jitterRatio: numberField(
    0,
    1,
    'Open times are shortened by up to this share at random, so a fleet does not probe in lockstep.',
    {
      belowMax: true,
    },
  ),
  halfOpenMaxCalls: integerField(
    1,
    1000,
    'Probe calls allowed in flight while half-open; others are rejected.',
  ),
  successThreshold: integerField(
    1,
    1000,
    'Successful probes that close the circuit (probes may follow one another).',
  ),
  callTimeoutMs: integerField(
    1,
    MS_MAX,
    'A half-open probe unsettled after this long (ms) releases its permit as a failure.',
  ),
  honorRetryAfter: booleanField(
    'Open for exactly the Retry-After a 429/503 asks for (capped by maxOpenSeconds).',
  ),
  quotaOpenSeconds: numberField(
    0,
    7 * SECONDS_MAX,
    'How long a quota-exhausted failure keeps the circuit open, in seconds (not capped by maxOpenSeconds).',
    { aboveMin: true },
  ),
  mode: oneOfField(
    ['enforce', 'observe'],
    '`enforce` rejects while open; `observe` only measures and counts would-be rejections.',
  ),
} satisfies { readonly [K in keyof BreakerPolicy]-?: FieldSpec<BreakerPolicy[K]> };

export type PolicyFieldName = keyof typeof POLICY_FIELDS;
export const POLICY_FIELD_NAMES = Object.keys(POLICY_FIELDS) as PolicyFieldName[];

/** The BreakerSettings fields beyond the policy (failOn and classify have their own schemas). */
export const SETTINGS_FIELDS = {
  preset: oneOfField(PRESET_NAMES, 'Preset this breaker starts from instead of the global one.'),
  rejectWith: oneOfField(
    ['error', 'response'],
    'What fetch/undici callers get while open: an `error`, or a synthetic 503 `response` (default for preset llm).',
  ),
};

/** One HTTP status (100-599) or one of the status classes `classes`, all failing with `error`. */
export function statusEntry<const C extends readonly [string, ...string[]]>(
  classes: C,
  error: string,
): Validator<number | C[number]> {
  const status = number(error, 100, 599, { integer: true });
  return {
    run(value, path, issues) {
      if (typeof value === 'number' && Number.isInteger(value))
        return status.run(value, path, issues);
      if (!classes.includes(value as string)) fail(issues, path, error);
      return value as C[number];
    },
  };
}

/** Allowed entries of `failOn.statuses`. */
export const STATUS_ALLOWED = 'an HTTP status from 100 to 599, or "4xx" or "5xx"';

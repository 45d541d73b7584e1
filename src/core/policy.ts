import {
  ConsecutiveFailuresStrategy,
  FailureRateStrategy,
  SlowCallRateStrategy,
  type TripStrategy,
} from './trip-strategy.js';

/** `enforce` rejects calls while open; `observe` decides the same way but lets every call through. */
export type BreakerMode = 'enforce' | 'observe';

/**
 * Every threshold of one breaker, fully resolved (no optional fields). Config files, env vars and
 * code produce partial policies that are merged over a preset into one of these.
 */
export interface BreakerPolicy {
  /** Failures in a row that open the circuit. 0 turns this rule off. */
  readonly failureThreshold: number;
  /** Failure ratio (0..1] over the window that opens the circuit. 0 turns this rule off. */
  readonly failureRateThreshold: number;
  /** Length of the sliding window for the rate rules. */
  readonly windowSeconds: number;
  /** Buckets the window is divided into (its time resolution). */
  readonly windowBuckets: number;
  /** Calls the window must hold before a rate rule may trip. */
  readonly minimumCalls: number;
  /** A call at least this long is slow. */
  readonly slowCallDurationMs: number;
  /** Slow-call ratio (0..1] over the window that opens the circuit. 0 turns this rule off. */
  readonly slowCallRateThreshold: number;
  /** Open time after the first trip. */
  readonly openSeconds: number;
  /** Each re-open without a close in between multiplies the open time by this. */
  readonly backoffMultiplier: number;
  /** Upper bound of the open time, also for Retry-After. */
  readonly maxOpenSeconds: number;
  /** Open times are shortened by up to this share at random, so a fleet does not probe in lockstep. */
  readonly jitterRatio: number;
  /** Probes allowed in flight while half-open. */
  readonly halfOpenMaxCalls: number;
  /** Successful probes that close the circuit. */
  readonly successThreshold: number;
  /** A probe unsettled after this long releases its permit and counts as a failure. */
  readonly callTimeoutMs: number;
  /** Open for exactly the server's Retry-After (capped by maxOpenSeconds), even below the thresholds. */
  readonly honorRetryAfter: boolean;
  /**
   * A failure of kind `quota` (an exhausted LLM quota or billing limit) opens for this long, not
   * capped by maxOpenSeconds: retrying before someone raises the limit only burns calls.
   */
  readonly quotaOpenSeconds: number;
  readonly mode: BreakerMode;
}

export const PRESET_NAMES = [
  'default',
  'strict',
  'lenient',
  'fast-recovery',
  'llm',
  'internal-http',
] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

const DEFAULT_POLICY: BreakerPolicy = {
  failureThreshold: 5,
  failureRateThreshold: 0.5,
  windowSeconds: 60,
  windowBuckets: 10,
  minimumCalls: 20,
  slowCallDurationMs: 10_000,
  slowCallRateThreshold: 0.8,
  openSeconds: 30,
  backoffMultiplier: 2,
  maxOpenSeconds: 300,
  jitterRatio: 0.1,
  halfOpenMaxCalls: 2,
  successThreshold: 2,
  callTimeoutMs: 30_000,
  honorRetryAfter: true,
  quotaOpenSeconds: 3_600,
  mode: 'enforce',
};

/** Named starting points; every field can still be overridden per breaker. Documented in README. */
export const PRESETS: Readonly<Record<PresetName, BreakerPolicy>> = {
  default: DEFAULT_POLICY,
  strict: {
    ...DEFAULT_POLICY,
    failureThreshold: 3,
    failureRateThreshold: 0.25,
    windowSeconds: 30,
    minimumCalls: 10,
    slowCallDurationMs: 2_000,
    slowCallRateThreshold: 0.5,
    openSeconds: 60,
    maxOpenSeconds: 600,
    halfOpenMaxCalls: 1,
    successThreshold: 3,
    callTimeoutMs: 10_000,
  },
  lenient: {
    ...DEFAULT_POLICY,
    failureThreshold: 10,
    failureRateThreshold: 0.75,
    windowSeconds: 120,
    minimumCalls: 50,
    slowCallDurationMs: 30_000,
    slowCallRateThreshold: 0.9,
    openSeconds: 15,
    backoffMultiplier: 1.5,
    maxOpenSeconds: 120,
    halfOpenMaxCalls: 5,
    successThreshold: 2,
    callTimeoutMs: 60_000,
  },
  'fast-recovery': {
    ...DEFAULT_POLICY,
    windowSeconds: 30,
    minimumCalls: 10,
    openSeconds: 5,
    backoffMultiplier: 1.5,
    maxOpenSeconds: 30,
    halfOpenMaxCalls: 3,
    successThreshold: 1,
    callTimeoutMs: 10_000,
  },
  // LLM calls are slow by nature (judged by time to first byte), rate-limit with Retry-After, and
  // a dead provider stays dead for a while: allow slow calls, honour Retry-After, open for long.
  // A health check here is a billed, rate-limited request: none, or at most `GET /v1/models`.
  llm: {
    ...DEFAULT_POLICY,
    failureThreshold: 3,
    windowSeconds: 120,
    minimumCalls: 10,
    slowCallDurationMs: 60_000,
    slowCallRateThreshold: 0.8,
    openSeconds: 60,
    maxOpenSeconds: 600,
    halfOpenMaxCalls: 1,
    successThreshold: 1,
    callTimeoutMs: 120_000,
    honorRetryAfter: true,
  },
  // Internal services: a host with a cheap health endpoint gains most from a healthCheck.
  'internal-http': {
    ...DEFAULT_POLICY,
    windowSeconds: 30,
    slowCallDurationMs: 1_000,
    slowCallRateThreshold: 0.6,
    openSeconds: 10,
    maxOpenSeconds: 120,
    halfOpenMaxCalls: 3,
    callTimeoutMs: 5_000,
    honorRetryAfter: false,
  },
};

export type PolicyOverrides = Partial<BreakerPolicy> & { readonly preset?: PresetName };

/** A preset with overrides on top. Values are assumed valid here; the config layer validates them. */
export function resolvePolicy(overrides: PolicyOverrides = {}): BreakerPolicy {
  const { preset = 'default', ...rest } = overrides;
  const base = PRESETS[preset];
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) merged[key] = value;
  return merged as unknown as BreakerPolicy;
}

const strategiesByPolicy = new WeakMap<BreakerPolicy, readonly TripStrategy[]>();

/**
 * The trip rules a policy turns on, in the order they are checked. Strategies hold no state, so
 * breakers sharing a policy object share one list (it matters with 10,000 breakers).
 */
export function strategiesFor(policy: BreakerPolicy): readonly TripStrategy[] {
  let cached = strategiesByPolicy.get(policy);
  if (cached === undefined) {
    cached = buildStrategies(policy);
    strategiesByPolicy.set(policy, cached);
  }
  return cached;
}

function buildStrategies(policy: BreakerPolicy): TripStrategy[] {
  const strategies: TripStrategy[] = [];
  if (policy.failureThreshold > 0)
    strategies.push(new ConsecutiveFailuresStrategy(policy.failureThreshold));
  if (policy.failureRateThreshold > 0) {
    strategies.push(new FailureRateStrategy(policy.failureRateThreshold, policy.minimumCalls));
  }
  if (policy.slowCallRateThreshold > 0) {
    strategies.push(new SlowCallRateStrategy(policy.slowCallRateThreshold, policy.minimumCalls));
  }
  return strategies;
}

/** Open time for the n-th re-open in a row (n = 0 for the first), capped, then shortened by jitter. */
export function openDurationMs(
  policy: BreakerPolicy,
  reopenCount: number,
  random: () => number,
): number {
  const uncapped = policy.openSeconds * 1000 * policy.backoffMultiplier ** reopenCount;
  const capped = Math.min(uncapped, policy.maxOpenSeconds * 1000);
  return capped * (1 - policy.jitterRatio * random());
}

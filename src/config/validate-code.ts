import type { z } from 'zod';
import { setBreakerOptionsCheck, type CircuitBreakerOptions } from '../core/breaker.js';
import { resolvePolicy, type BreakerPolicy, type PolicyOverrides } from '../core/policy.js';
import { ConfigError } from './config-error.js';
import { POLICY_FIELDS, SETTINGS_FIELDS } from './field-specs.js';
import { formatValue } from './problem-text.js';
import { optionalFields, REGISTRY_FIELDS, strictObject } from './schema.js';
import { problemsFor, type ConfigSource } from './validate-source.js';
import { onDemand, zod } from './zod-on-demand.js';

// The code API (breakers.get, new CircuitBreaker, new BreakerRegistry, registerAgentClient, the
// instrumentation's constructor) validates with the config's own field schemas and messages, once,
// when something is created: a lookup of an existing breaker stays a map lookup.

export const BREAKER_NAME_MAX_LENGTH = 300;
/** Every host pattern and agent name the config accepts fits; nothing URL-, query- or secret-shaped does. */
export const BREAKER_NAME_ALLOWED = `a string of 1-${BREAKER_NAME_MAX_LENGTH} letters, digits, ".", "_", "-", ":", "*", "[" or "]"`;
const nameError = `expected ${BREAKER_NAME_ALLOWED}`;
export const breakerNameSchema = onDemand((z) =>
  z
    .string({ error: nameError })
    .regex(/^[A-Za-z0-9._:*[\]-]+$/, { error: nameError })
    .max(BREAKER_NAME_MAX_LENGTH, { error: nameError }),
);

export function functionSchema(what: string) {
  return zod().custom<(...args: never[]) => unknown>((v) => typeof v === 'function', {
    error: `expected ${what}`,
  });
}

export function objectWith(methods: readonly string[], what: string) {
  return zod().custom<object>(
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      methods.every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
    { error: `expected ${what}` },
  );
}

export const clockSchema = onDemand(() =>
  objectWith(['now', 'preciseNow', 'wallNow'], 'a Clock (now, preciseNow, wallNow)'),
);
/** The injectable collaborators a breaker and a registry accept. */
const collaborators = () => ({
  clock: clockSchema().optional(),
  random: functionSchema('a function returning a number in [0, 1)').optional(),
  classify: functionSchema('a function (error) => outcome').optional(),
  link: objectWith(['onLocalTransition'], 'a SharedStateLink (onLocalTransition)').optional(),
});

const policyOverridesSchema = onDemand(() =>
  strictObject(
    { ...optionalFields(POLICY_FIELDS), preset: SETTINGS_FIELDS.preset.schema.optional() },
    'a mapping of policy fields (and preset)',
  ),
);

const fullPolicySchema = () =>
  strictObject(
    Object.fromEntries(Object.entries(POLICY_FIELDS).map(([k, spec]) => [k, spec.schema])),
    'a BreakerPolicy (every field; see resolvePolicy)',
  ).superRefine((policy, ctx) => {
    const p = policy as unknown as BreakerPolicy;
    if (p.maxOpenSeconds < p.openSeconds)
      ctx.addIssue({
        code: 'custom',
        path: ['maxOpenSeconds'],
        message: `expected at least openSeconds (${p.openSeconds})`,
      });
  });

/** Throws a ConfigError (source `code (<label>)`) naming each bad argument field, its value and what is allowed. */
export function parseCodeArgs<S extends z.ZodType>(
  label: string,
  schema: S,
  args: Record<string, unknown>,
): z.output<S> {
  const result = schema.safeParse(args);
  if (result.success) return result.data;
  const source: ConfigSource = { kind: 'code', data: args, labelFor: () => `code (${label})` };
  throw new ConfigError(result.error.issues.flatMap((issue) => problemsFor(issue, source)));
}

/** Policies validated here (or by the config): a breaker built from one skips the policy check. */
const validatedPolicies = new WeakSet<BreakerPolicy>();

/** Marks a policy resolved from validated fields (the config's, or checkedPolicy's) as valid. */
export function trustPolicy(policy: BreakerPolicy): BreakerPolicy {
  validatedPolicies.add(Object.freeze(policy));
  return policy;
}

/**
 * The policy for validated overrides: the preset with the fields on top, checked across fields
 * (maxOpenSeconds at least openSeconds) like the config does. `at` names the argument for messages.
 */
export function checkedPolicy(
  label: string,
  at: string,
  overrides: PolicyOverrides,
): BreakerPolicy {
  const policy = resolvePolicy(overrides);
  if (policy.maxOpenSeconds < policy.openSeconds) {
    const blameMax = overrides.maxOpenSeconds !== undefined || overrides.openSeconds === undefined;
    const field = blameMax ? 'maxOpenSeconds' : 'openSeconds';
    const preset = `preset "${overrides.preset ?? 'default'}"`;
    throw new ConfigError([
      {
        source: `code (${label})`,
        path: `${at}.${field}`,
        value: formatValue(policy[field]),
        message: blameMax
          ? `expected at least openSeconds (${policy.openSeconds}${overrides.openSeconds === undefined ? `, ${preset}` : ''})`
          : `expected at most maxOpenSeconds (${policy.maxOpenSeconds}, ${preset})`,
      },
    ]);
  }
  return trustPolicy(policy);
}

/** `resolvePolicy` as exported: validates the overrides like `breakers.get()` does. */
export function resolveCheckedPolicy(overrides?: PolicyOverrides): BreakerPolicy {
  const parsed = parseCodeArgs('resolvePolicy', resolveArgs(), { overrides }).overrides;
  return checkedPolicy('resolvePolicy', 'overrides', parsed ?? {});
}
const resolveArgs = onDemand((z) => z.object({ overrides: policyOverridesSchema().optional() }));

const breakerArgs = onDemand((z) =>
  z.object({
    options: strictObject(
      { name: breakerNameSchema(), policy: fullPolicySchema().optional(), ...collaborators() },
      'CircuitBreakerOptions ({ name, policy?, clock?, random?, classify?, link? })',
    ),
  }),
);
const trustedBreakerArgs = onDemand((z) =>
  z.object({
    options: strictObject(
      { name: breakerNameSchema(), policy: z.unknown(), ...collaborators() },
      'CircuitBreakerOptions',
    ),
  }),
);

// Installed on import: core has no schema of its own, and every public entry point imports this.
setBreakerOptionsCheck((options: CircuitBreakerOptions) => {
  const trusted =
    typeof options === 'object' && options !== null && validatedPolicies.has(options.policy!);
  parseCodeArgs('new CircuitBreaker', trusted ? trustedBreakerArgs() : breakerArgs(), { options });
});

/** The schemas of BreakerRegistry's arguments, each built on its first use. */
export const registryArgs = {
  get: onDemand((z) =>
    z.object({ name: breakerNameSchema(), overrides: policyOverridesSchema().optional() }),
  ),
  options: onDemand((z) =>
    z.object({
      options: strictObject(
        {
          defaults: policyOverridesSchema().optional(),
          overrides: z
            .record(breakerNameSchema(), policyOverridesSchema(), {
              error: 'expected a mapping of breaker name to policy fields',
            })
            .optional(),
          ...optionalFields(REGISTRY_FIELDS),
          ...collaborators(),
        },
        'BreakerRegistryOptions',
      ).optional(),
    }),
  ),
  limits: onDemand((z) =>
    z.object({
      limits: strictObject(optionalFields(REGISTRY_FIELDS), 'RegistryLimits'),
    }),
  ),
};

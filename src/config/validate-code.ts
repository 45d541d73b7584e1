import { setBreakerOptionsCheck, type CircuitBreakerOptions } from '../core/breaker.js';
import { resolvePolicy, type BreakerPolicy, type PolicyOverrides } from '../core/policy.js';
import { ConfigError } from './config-error.js';
import { POLICY_FIELDS, SETTINGS_FIELDS } from './field-specs.js';
import { formatValue } from './problem-text.js';
import { optionalFields, REGISTRY_FIELDS, strictObject } from './schema.js';
import { problemsFor, type ConfigSource } from './validate-source.js';
import { custom, fail, optional, string, unknown, validate, type Validator } from './validator.js';
import { object, record, type Shape } from './validator-objects.js';

// The code API (breakers.get, new CircuitBreaker, new BreakerRegistry, registerAgentClient, the
// instrumentation's constructor) validates with the config's own field schemas and messages, once,
// when something is created: a lookup of an existing breaker stays a map lookup.

export const BREAKER_NAME_MAX_LENGTH = 300;
/** Every host pattern and agent name the config accepts fits; nothing URL-, query- or secret-shaped does. */
export const BREAKER_NAME_ALLOWED = `a string of 1-${BREAKER_NAME_MAX_LENGTH} letters, digits, ".", "_", "-", ":", "*", "[" or "]"`;
const nameError = `expected ${BREAKER_NAME_ALLOWED}`;
export const breakerNameSchema = string(nameError, [
  [/^[A-Za-z0-9._:*[\]-]+$/, nameError],
  [(name) => name.length <= BREAKER_NAME_MAX_LENGTH, nameError],
]);

export function functionSchema(what: string) {
  return custom<(...args: never[]) => unknown>((v) => typeof v === 'function', `expected ${what}`);
}

export function objectWith(methods: readonly string[], what: string) {
  return custom<object>(
    (v) =>
      typeof v === 'object' &&
      v !== null &&
      methods.every((m) => typeof (v as Record<string, unknown>)[m] === 'function'),
    `expected ${what}`,
  );
}

/** The arguments of one call, by name: not a user's object, so nothing else is ever in it. */
export function argsObject<const S extends Shape>(shape: S) {
  return object(shape, { error: 'expected the arguments', unknownKeys: 'strip' });
}

export const clockSchema = objectWith(
  ['now', 'preciseNow', 'wallNow'],
  'a Clock (now, preciseNow, wallNow)',
);
/** The injectable collaborators a breaker and a registry accept. */
const collaborators = {
  clock: optional(clockSchema),
  random: optional(functionSchema('a function returning a number in [0, 1)')),
  classify: optional(functionSchema('a function (error) => outcome')),
  link: optional(objectWith(['onLocalTransition'], 'a SharedStateLink (onLocalTransition)')),
};

const policyOverridesSchema = strictObject(
  { ...optionalFields(POLICY_FIELDS), preset: optional(SETTINGS_FIELDS.preset.schema) },
  'a mapping of policy fields (and preset)',
);

const fullPolicySchema = object(
  Object.fromEntries(Object.entries(POLICY_FIELDS).map(([k, spec]) => [k, spec.schema])) as {
    [K in keyof typeof POLICY_FIELDS]: (typeof POLICY_FIELDS)[K]['schema'];
  },
  {
    error: 'expected a BreakerPolicy (every field; see resolvePolicy)',
    refine(p, path, issues) {
      if (p.maxOpenSeconds < p.openSeconds)
        fail(
          issues,
          [...path, 'maxOpenSeconds'],
          `expected at least openSeconds (${p.openSeconds})`,
          false,
        );
    },
  },
);

/** Throws a ConfigError (source `code (<label>)`) naming each bad argument field, its value and what is allowed. */
export function parseCodeArgs<T>(
  label: string,
  schema: Validator<T>,
  args: Record<string, unknown>,
): T {
  const { value, issues } = validate(schema, args);
  if (issues.length === 0) return value;
  const source: ConfigSource = { kind: 'code', data: args, labelFor: () => `code (${label})` };
  throw new ConfigError(issues.flatMap((issue) => problemsFor(issue, source)));
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
  const parsed = parseCodeArgs('resolvePolicy', resolveArgs, { overrides }).overrides;
  return checkedPolicy('resolvePolicy', 'overrides', parsed ?? {});
}
const resolveArgs = argsObject({ overrides: optional(policyOverridesSchema) });

const breakerArgs = argsObject({
  options: strictObject(
    { name: breakerNameSchema, policy: optional(fullPolicySchema), ...collaborators },
    'CircuitBreakerOptions ({ name, policy?, clock?, random?, classify?, link? })',
  ),
});
const trustedBreakerArgs = argsObject({
  options: strictObject(
    { name: breakerNameSchema, policy: unknown, ...collaborators },
    'CircuitBreakerOptions',
  ),
});

// Installed on import: core has no schema of its own, and every public entry point imports this.
setBreakerOptionsCheck((options: CircuitBreakerOptions) => {
  const trusted =
    typeof options === 'object' && options !== null && validatedPolicies.has(options.policy!);
  const args: Validator<unknown> = trusted ? trustedBreakerArgs : breakerArgs;
  parseCodeArgs('new CircuitBreaker', args, { options });
});

/** The schemas of BreakerRegistry's arguments. */
export const registryArgs = {
  get: argsObject({ name: breakerNameSchema, overrides: optional(policyOverridesSchema) }),
  options: argsObject({
    options: optional(
      strictObject(
        {
          defaults: optional(policyOverridesSchema),
          overrides: optional(
            record(breakerNameSchema, policyOverridesSchema, {
              error: 'expected a mapping of breaker name to policy fields',
            }),
          ),
          ...optionalFields(REGISTRY_FIELDS),
          ...collaborators,
        },
        'BreakerRegistryOptions',
      ),
    ),
  }),
  limits: argsObject({
    limits: strictObject(optionalFields(REGISTRY_FIELDS), 'RegistryLimits'),
  }),
};

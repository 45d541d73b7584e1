import { isIPv6ListenAddress } from './ip-address.js';
import type { BreakerSettings } from './circuit-breaker-config.js';
import {
  booleanField,
  integerField,
  oneOfField,
  POLICY_FIELDS,
  SETTINGS_FIELDS,
  STATUS_ALLOWED,
  statusEntry,
  stringField,
  type FieldSpec,
} from './field-specs.js';
import { HEALTH_CHECK_FIELDS } from './health-check-fields.js';
import { HOST_PATTERN_ALLOWED, parseHostPattern } from './host-pattern.js';
import { looksLikePlaceholder } from './substitute-env.js';
import { PRESET_NAMES } from '../core/policy.js';
import {
  array,
  custom,
  fail,
  oneOf,
  optional,
  preprocess,
  string,
  type Output,
  type Validator,
} from './validator.js';
import { isObject, object, record, type Shape } from './validator-objects.js';

/** An object that lists unknown keys as issues (with did-you-mean hints) and is `what` otherwise. */
export function strictObject<const S extends Shape>(shape: S, what = 'a mapping (object)') {
  return object(shape, { error: `expected ${what}` });
}

export function optionalFields<T extends Record<string, FieldSpec>>(
  specs: T,
): { [K in keyof T]: Validator<Output<T[K]['schema']> | undefined> & { optional: true } } {
  const shape: Record<string, Validator<unknown>> = {};
  for (const [key, spec] of Object.entries(specs)) shape[key] = optional(spec.schema);
  return shape as {
    [K in keyof T]: Validator<Output<T[K]['schema']> | undefined> & { optional: true };
  };
}

/** YAML writes an entry with nothing under it (`api.example.com:`) as null: read it as `{}`. */
function nullAsEmpty<T>(schema: Validator<T>): Validator<T> {
  return preprocess((value) => (value === null ? {} : value), schema);
}

const statusError = `expected ${STATUS_ALLOWED}`;

const settingsShape = {
  ...optionalFields(POLICY_FIELDS),
  ...optionalFields(SETTINGS_FIELDS),
  failOn: optional(
    strictObject({
      statuses: optional(
        array(statusEntry(['4xx', '5xx'], statusError), `expected a list of ${STATUS_ALLOWED}`),
      ),
    }),
  ),
  classify: optional(
    custom<NonNullable<BreakerSettings['classify']>>(
      (value) => typeof value === 'function',
      'expected a function (in code only)',
    ),
  ),
};

export const settingsSchema = strictObject(settingsShape, 'a mapping of breaker settings');

/** A host's `healthCheck`: `path` turns it on, every other field has a default. */
export const healthCheckSchema = strictObject(
  { ...optionalFields(HEALTH_CHECK_FIELDS), path: HEALTH_CHECK_FIELDS.path.schema },
  'a mapping with at least path, such as { path: /healthz }',
);

/** A host entry: the breaker settings, and the health check only a single host can have. */
export const hostSettingsSchema = strictObject(
  { ...settingsShape, healthCheck: optional(healthCheckSchema) },
  'a mapping of breaker settings',
);

const hostPatternSchema = string(`expected ${HOST_PATTERN_ALLOWED}`);
const hostPattern: Validator<string> = {
  run(value, path, issues) {
    if (typeof value !== 'string') return hostPatternSchema.run(value, path, issues);
    const parsed = parseHostPattern(value);
    if (!parsed.ok) fail(issues, path, `${parsed.reason}; expected ${HOST_PATTERN_ALLOWED}`, false);
    return value;
  },
};

/** `hosts` is a mapping of pattern to settings, or a list of patterns (shorthand for `{ pattern: {} }`). */
const hostsSchema = preprocess(
  (value) =>
    Array.isArray(value)
      ? Object.fromEntries(value.map((p) => [typeof p === 'string' ? p : JSON.stringify(p), {}]))
      : value,
  record(hostPattern, nullAsEmpty(hostSettingsSchema), {
    error: 'expected a mapping of host pattern to settings, or a list of host patterns',
    anyName: true,
  }),
);

export const AGENT_NAME_ALLOWED =
  '1-64 letters, digits, ".", "_" or "-", starting with a letter or digit';
export const agentNameSchema = string(`expected ${AGENT_NAME_ALLOWED}`, [
  [/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, `expected ${AGENT_NAME_ALLOWED}`],
]);

const HOST_PORT_ALLOWED = 'a list of "host:port" entries';
const hostPortError = `expected ${HOST_PORT_ALLOWED}`;
const hostPortListSchema = array(
  string(hostPortError, [
    [
      (s) => {
        const parsed = parseHostPattern(s);
        return parsed.ok && parsed.pattern.kind === 'host-port';
      },
      hostPortError,
    ],
  ]),
  hostPortError,
  true,
);

const UNEXPANDED =
  'expected the value itself, not a "${…}" reference (references are expanded only in config files, as ${env:NAME})';
const notPlaceholder = [(text: string) => !looksLikePlaceholder(text), UNEXPANDED] as const;

export const REDIS_URL_ALLOWED = 'a redis:// or rediss:// URL';
export const STORE_FIELDS = {
  url: {
    schema: string(`expected ${REDIS_URL_ALLOWED}`, [
      [(u) => /^rediss?:\/\/./i.test(u) && URL.canParse(u), `expected ${REDIS_URL_ALLOWED}`],
      notPlaceholder,
    ]),
    type: 'string',
    allowed: REDIS_URL_ALLOWED,
    doc: 'Redis to share breaker state through; setting it selects the redis store.',
  },
  keyPrefix: stringField(
    /^[A-Za-z0-9:._-]{1,64}$/,
    '1-64 letters, digits, ":", ".", "_" or "-"',
    'Prefix of every Redis key.',
  ),
  flushIntervalMs: integerField(
    10,
    60_000,
    'How often local counts with failures or slow calls are flushed to Redis; successes alone go once per window bucket (ms).',
  ),
  resyncIntervalMs: integerField(
    100,
    3_600_000,
    'Period of the safety-net resync: one look at the fleet change logs, reading only breakers that changed (ms).',
  ),
  storeTimeoutMs: integerField(1, 60_000, 'Every store call is raced against this timeout (ms).'),
} satisfies Record<string, FieldSpec>;

const masterNameError = 'expected a non-empty master name';
const redisStoreSchema = object(
  {
    type: oneOf(['redis'], 'expected "redis"'),
    ...optionalFields(STORE_FIELDS),
    clusterNodes: optional(hostPortListSchema),
    sentinel: optional(
      strictObject({
        sentinels: hostPortListSchema,
        name: string(masterNameError, [[(name) => name.length >= 1, masterNameError]]),
      }),
    ),
  },
  {
    error: 'expected a mapping (object)',
    refine(store, path, issues) {
      const targets = (['url', 'clusterNodes', 'sentinel'] as const).filter(
        (key) => store[key] !== undefined,
      );
      if (targets.length > 1) {
        fail(
          issues,
          [...path, targets[1]!],
          `expected only one of url, clusterNodes and sentinel (${targets[0]} is set too)`,
          false,
        );
      }
    },
  },
);
const memoryStoreSchema = strictObject({ type: oneOf(['memory'], 'expected "memory"') });

const STORE_ALLOWED = '"memory", "redis", or a mapping with type "memory" or "redis"';
const storeSchema = preprocess(
  (value) => (value === 'memory' || value === 'redis' ? { type: value } : value),
  {
    run(value, path, issues): Output<typeof memoryStoreSchema> | Output<typeof redisStoreSchema> {
      const mapping = isObject(value);
      const type = mapping ? value.type : undefined;
      if (type === 'memory') return memoryStoreSchema.run(value, path, issues);
      if (type === 'redis') return redisStoreSchema.run(value, path, issues);
      fail(issues, mapping ? [...path, 'type'] : path, `expected ${STORE_ALLOWED}`);
      return value as Output<typeof memoryStoreSchema>;
    },
  } satisfies Validator<unknown>,
);

const TOKEN_ALLOWED = 'at least 16 characters without spaces';
const ADMIN_HOST_ALLOWED = 'an IP address or host name to bind to';
export const ADMIN_FIELDS = {
  port: integerField(
    0,
    65_535,
    'Port of the admin HTTP endpoint (0 picks a free one); the endpoint is off without it.',
  ),
  host: {
    schema: string(`expected ${ADMIN_HOST_ALLOWED}`, [
      [
        (h) => isIPv6ListenAddress(h) || /^[A-Za-z0-9_.-]{1,253}$/.test(h),
        `expected ${ADMIN_HOST_ALLOWED}`,
      ],
    ]),
    type: 'string',
    allowed: ADMIN_HOST_ALLOWED,
    doc: 'Bind address of the admin endpoint; anything but loopback requires a token.',
  },
  // Left unexpanded, a reference would become a bearer token anyone reading the file knows.
  token: stringField(
    /^\S{16,1024}$/,
    TOKEN_ALLOWED,
    'Bearer token required for every change (POST).',
    [notPlaceholder],
  ),
} satisfies Record<string, FieldSpec>;

export const REGISTRY_FIELDS = {
  maxBreakers: integerField(
    1,
    1_000_000,
    'Distinct breakers at most; further names share one disabled overflow breaker.',
  ),
  idleEvictSeconds: integerField(
    1,
    30 * 86_400,
    'Closed breakers unused this long (seconds) are dropped.',
  ),
} satisfies Record<string, FieldSpec>;

export const TOP_FIELDS = {
  enabled: booleanField('Turns the whole library off when false (nothing is patched).'),
  mode: oneOfField(
    ['enforce', 'observe'],
    'Default mode of every breaker (a host or defaults.mode overrides it).',
  ),
  preset: oneOfField(PRESET_NAMES, 'Preset every host starts from unless it names its own.'),
  quiet: booleanField(
    'Leaves out the one-line summary `register` prints to stderr at startup (warnings still print).',
  ),
} satisfies Record<string, FieldSpec>;

/** The whole raw config of one source (file, env or code), before merging and resolution. */
export const configSchema = nullAsEmpty(
  strictObject(
    {
      ...optionalFields(TOP_FIELDS),
      defaults: optional(nullAsEmpty(settingsSchema)),
      hosts: optional(nullAsEmpty(hostsSchema)),
      agents: optional(
        nullAsEmpty(
          record(agentNameSchema, nullAsEmpty(settingsSchema), {
            error: 'expected a mapping of agent name to settings',
            anyName: true,
          }),
        ),
      ),
      store: optional(storeSchema),
      admin: optional(nullAsEmpty(strictObject(optionalFields(ADMIN_FIELDS)))),
      registry: optional(nullAsEmpty(strictObject(optionalFields(REGISTRY_FIELDS)))),
    },
    'a mapping with keys such as hosts, defaults and store',
  ),
);

export type RawConfig = Output<typeof configSchema>;
export type RawSettings = Output<typeof settingsSchema>;
export type RawHostSettings = Output<typeof hostSettingsSchema>;
export type RawHealthCheck = Output<typeof healthCheckSchema>;
export type RawStore = NonNullable<RawConfig['store']>;

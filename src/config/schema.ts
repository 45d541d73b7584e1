import { isIP } from 'node:net';
import type { z } from 'zod';
import type { BreakerSettings } from './circuit-breaker-config.js';
import {
  booleanField,
  fieldSpec,
  integerField,
  oneOfField,
  POLICY_FIELDS,
  SETTINGS_FIELDS,
  STATUS_ALLOWED,
  statusEntrySchema,
  stringField,
  type FieldSpec,
} from './field-specs.js';
import { HEALTH_CHECK_FIELDS } from './health-check-fields.js';
import { HOST_PATTERN_ALLOWED, parseHostPattern } from './host-pattern.js';
import { protoSafeRecord } from './proto-safe-record.js';
import { looksLikePlaceholder } from './substitute-env.js';
import { PRESET_NAMES } from '../core/policy.js';
import { onDemand, zod, type Z } from './zod-on-demand.js';

/**
 * Marks the message of an `unrecognized_keys` issue: it carries the keys the object allows, so the
 * issue reader can suggest the closest one (zod issues do not point back at their schema).
 */
export const ALLOWED_KEYS_MARKER = 'allowed-keys:';

/** A strict object whose unknown-key issues carry the allowed keys (see ALLOWED_KEYS_MARKER). */
export function strictObject<T extends z.ZodRawShape>(shape: T, what = 'a mapping (object)') {
  const allowedKeys = ALLOWED_KEYS_MARKER + JSON.stringify(Object.keys(shape));
  return zod().strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? allowedKeys : `expected ${what}`),
  });
}

export function optionalFields<T extends Record<string, FieldSpec>>(
  specs: T,
): { [K in keyof T]: z.ZodOptional<T[K]['schema']> } {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, spec] of Object.entries(specs)) shape[key] = spec.schema.optional();
  return shape as { [K in keyof T]: z.ZodOptional<T[K]['schema']> };
}

/** YAML writes an entry with nothing under it (`api.example.com:`) as null: read it as `{}`. */
function nullAsEmpty<T extends z.ZodType>(schema: T) {
  return zod().preprocess((value) => (value === null ? {} : value), schema);
}

// Every schema is built on its first use (onDemand): importing the library does not load zod.
const statusError = `expected ${STATUS_ALLOWED}`;

const settingsShape = (z: Z) => ({
  ...optionalFields(POLICY_FIELDS),
  ...optionalFields(SETTINGS_FIELDS),
  failOn: strictObject({
    statuses: z
      .array(statusEntrySchema(z, ['4xx', '5xx'], statusError), {
        error: `expected a list of ${STATUS_ALLOWED}`,
      })
      .optional(),
  }).optional(),
  classify: z
    .custom<NonNullable<BreakerSettings['classify']>>((value) => typeof value === 'function', {
      error: 'expected a function (in code only)',
    })
    .optional(),
});

export const settingsSchema = onDemand((z) =>
  strictObject(settingsShape(z), 'a mapping of breaker settings'),
);

/** A host's `healthCheck`: `path` turns it on, every other field has a default. */
export const healthCheckSchema = onDemand(() =>
  strictObject(
    { ...optionalFields(HEALTH_CHECK_FIELDS), path: HEALTH_CHECK_FIELDS.path.schema },
    'a mapping with at least path, such as { path: /healthz }',
  ),
);

/** A host entry: the breaker settings, and the health check only a single host can have. */
export const hostSettingsSchema = onDemand((z) =>
  strictObject(
    { ...settingsShape(z), healthCheck: healthCheckSchema().optional() },
    'a mapping of breaker settings',
  ),
);

/** `hosts` is a mapping of pattern to settings, or a list of patterns (shorthand for `{ pattern: {} }`). */
const hostsSchema = onDemand((z) =>
  z.preprocess(
    (value) =>
      Array.isArray(value)
        ? Object.fromEntries(value.map((p) => [typeof p === 'string' ? p : JSON.stringify(p), {}]))
        : value,
    protoSafeRecord(
      z.string().superRefine((text, ctx) => {
        const parsed = parseHostPattern(text);
        if (!parsed.ok)
          ctx.addIssue({
            code: 'custom',
            message: `${parsed.reason}; expected ${HOST_PATTERN_ALLOWED}`,
          });
      }),
      nullAsEmpty(hostSettingsSchema()),
      { error: 'expected a mapping of host pattern to settings, or a list of host patterns' },
    ),
  ),
);

export const AGENT_NAME_ALLOWED =
  '1-64 letters, digits, ".", "_" or "-", starting with a letter or digit';
export const agentNameSchema = onDemand((z) =>
  z
    .string({ error: `expected ${AGENT_NAME_ALLOWED}` })
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: `expected ${AGENT_NAME_ALLOWED}` }),
);

const HOST_PORT_ALLOWED = 'a list of "host:port" entries';
const hostPortListSchema = onDemand((z) =>
  z
    .array(
      z.string({ error: `expected ${HOST_PORT_ALLOWED}` }).refine(
        (s) => {
          const parsed = parseHostPattern(s);
          return parsed.ok && parsed.pattern.kind === 'host-port';
        },
        { error: `expected ${HOST_PORT_ALLOWED}` },
      ),
      { error: `expected ${HOST_PORT_ALLOWED}` },
    )
    .min(1, { error: `expected ${HOST_PORT_ALLOWED}` }),
);

const UNEXPANDED =
  'expected the value itself, not a "${…}" reference (references are expanded only in config files, as ${env:NAME})';

export const REDIS_URL_ALLOWED = 'a redis:// or rediss:// URL';
export const STORE_FIELDS = {
  url: fieldSpec(
    (z) =>
      z
        .string({ error: `expected ${REDIS_URL_ALLOWED}` })
        .refine((u) => /^rediss?:\/\/./i.test(u) && URL.canParse(u), {
          error: `expected ${REDIS_URL_ALLOWED}`,
        })
        .refine((u) => !looksLikePlaceholder(u), { error: UNEXPANDED }),
    {
      type: 'string',
      allowed: REDIS_URL_ALLOWED,
      doc: 'Redis to share breaker state through; setting it selects the redis store.',
    },
  ),
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

const redisStoreSchema = (z: Z) =>
  strictObject({
    type: z.literal('redis'),
    ...optionalFields(STORE_FIELDS),
    clusterNodes: hostPortListSchema().optional(),
    sentinel: strictObject({
      sentinels: hostPortListSchema(),
      name: z
        .string({ error: 'expected a non-empty master name' })
        .min(1, { error: 'expected a non-empty master name' }),
    }).optional(),
  }).superRefine((store, ctx) => {
    const targets = (['url', 'clusterNodes', 'sentinel'] as const).filter(
      (key) => store[key] !== undefined,
    );
    if (targets.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [targets[1]!],
        message: `expected only one of url, clusterNodes and sentinel (${targets[0]} is set too)`,
      });
    }
  });

const STORE_ALLOWED = '"memory", "redis", or a mapping with type "memory" or "redis"';
const storeSchema = (z: Z) =>
  z.preprocess(
    (value) => (value === 'memory' || value === 'redis' ? { type: value } : value),
    z.discriminatedUnion(
      'type',
      [strictObject({ type: z.literal('memory') }), redisStoreSchema(z)],
      { error: `expected ${STORE_ALLOWED}` },
    ),
  );

const TOKEN_ALLOWED = 'at least 16 characters without spaces';
const ADMIN_HOST_ALLOWED = 'an IP address or host name to bind to';
export const ADMIN_FIELDS = {
  port: integerField(
    0,
    65_535,
    'Port of the admin HTTP endpoint (0 picks a free one); the endpoint is off without it.',
  ),
  host: fieldSpec(
    (z) =>
      z
        .string({ error: `expected ${ADMIN_HOST_ALLOWED}` })
        .refine((h) => isIP(h) !== 0 || /^[A-Za-z0-9_.-]{1,253}$/.test(h), {
          error: `expected ${ADMIN_HOST_ALLOWED}`,
        }),
    {
      type: 'string',
      allowed: ADMIN_HOST_ALLOWED,
      doc: 'Bind address of the admin endpoint; anything but loopback requires a token.',
    },
  ),
  token: fieldSpec(
    (z) =>
      z
        .string({ error: `expected ${TOKEN_ALLOWED}` })
        .regex(/^\S{16,1024}$/, { error: `expected ${TOKEN_ALLOWED}` })
        // Left unexpanded, a reference would become a bearer token anyone reading the file knows.
        .refine((t) => !looksLikePlaceholder(t), { error: UNEXPANDED }),
    {
      type: 'string',
      allowed: TOKEN_ALLOWED,
      doc: 'Bearer token required for every change (POST).',
    },
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
export const configSchema = onDemand((z) =>
  nullAsEmpty(
    strictObject(
      {
        ...optionalFields(TOP_FIELDS),
        defaults: nullAsEmpty(settingsSchema()).optional(),
        hosts: nullAsEmpty(hostsSchema()).optional(),
        agents: nullAsEmpty(
          protoSafeRecord(agentNameSchema(), nullAsEmpty(settingsSchema()), {
            error: 'expected a mapping of agent name to settings',
          }),
        ).optional(),
        store: storeSchema(z).optional(),
        admin: nullAsEmpty(strictObject(optionalFields(ADMIN_FIELDS))).optional(),
        registry: nullAsEmpty(strictObject(optionalFields(REGISTRY_FIELDS))).optional(),
      },
      'a mapping with keys such as hosts, defaults and store',
    ),
  ),
);

export type RawConfig = z.output<ReturnType<typeof configSchema>>;
export type RawSettings = z.output<ReturnType<typeof settingsSchema>>;
export type RawHostSettings = z.output<ReturnType<typeof hostSettingsSchema>>;
export type RawHealthCheck = z.output<ReturnType<typeof healthCheckSchema>>;
export type RawStore = NonNullable<RawConfig['store']>;

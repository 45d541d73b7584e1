import { POLICY_FIELDS, SETTINGS_FIELDS, type FieldSpec, type FieldType } from './field-specs.js';
import { levenshtein } from './did-you-mean.js';
import { HOST_PATTERN_ALLOWED } from './host-pattern.js';
import { ADMIN_FIELDS, REGISTRY_FIELDS, STORE_FIELDS, TOP_FIELDS } from './schema.js';

/** The env var naming the config file. It is read by `loadConfig`, not mapped to a config field. */
export const CONFIG_FILE_ENV_VAR = 'CIRCUIT_BREAKER_CONFIG';
/** Read by the CLI only (where to find a running app's admin endpoint); loadConfig accepts and ignores it. */
export const ADMIN_URL_ENV_VAR = 'CIRCUIT_BREAKER_ADMIN_URL';
export const ENV_VAR_PREFIX = 'CIRCUIT_BREAKER_';

/** One `CIRCUIT_BREAKER_*` env var: where its value lands in the config and how it is read. */
export interface EnvVarSpec {
  readonly name: string;
  /** Config path the value is written to (`['defaults', 'openSeconds']`); empty when read elsewhere. */
  readonly path: readonly string[];
  /** `list` is comma-separated; `path` is a file path. Booleans accept true/false, 1/0, yes/no, on/off. */
  readonly type: FieldType | 'list' | 'path';
  readonly allowed: string;
  readonly description: string;
}

function fromSpec(name: string, path: readonly string[], spec: FieldSpec): EnvVarSpec {
  return {
    name: ENV_VAR_PREFIX + name,
    path,
    type: spec.type,
    allowed: spec.allowed,
    description: spec.doc,
  };
}

/** `failureRateThreshold` -> `FAILURE_RATE_THRESHOLD`. */
export function screamingSnake(camel: string): string {
  return camel.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

function section(
  prefix: string,
  configKey: string,
  specs: Record<string, FieldSpec>,
): EnvVarSpec[] {
  return Object.entries(specs).map(([key, spec]) =>
    fromSpec(prefix + screamingSnake(key), [configKey, key], spec),
  );
}

/**
 * Every env var the library reads, in documentation order: the single source for README tables
 * (`formatEnvVarTable()`), for the reader below and for tests. Policy fields set global `defaults`.
 */
export const CIRCUIT_BREAKER_ENV_VARS: readonly EnvVarSpec[] = [
  {
    name: CONFIG_FILE_ENV_VAR,
    path: [],
    type: 'path',
    allowed: 'a path ending in .yaml, .yml or .json',
    description:
      'Config file to read (relative to the working directory); env vars and code take precedence over it.',
  },
  fromSpec('ENABLED', ['enabled'], TOP_FIELDS.enabled),
  {
    name: `${ENV_VAR_PREFIX}HOSTS`,
    path: ['hosts'],
    type: 'list',
    allowed: `a comma-separated list, each ${HOST_PATTERN_ALLOWED}`,
    description:
      'Hosts to protect (added to those of the file and code), e.g. `api.openai.com,*.internal`.',
  },
  fromSpec('PRESET', ['preset'], TOP_FIELDS.preset),
  fromSpec('MODE', ['mode'], TOP_FIELDS.mode),
  fromSpec('QUIET', ['quiet'], TOP_FIELDS.quiet),
  ...Object.entries(POLICY_FIELDS)
    .filter(([key]) => key !== 'mode')
    .map(([key, spec]) => fromSpec(screamingSnake(key), ['defaults', key], spec)),
  fromSpec('REJECT_WITH', ['defaults', 'rejectWith'], SETTINGS_FIELDS.rejectWith),
  ...section('REDIS_', 'store', STORE_FIELDS),
  ...section('ADMIN_', 'admin', ADMIN_FIELDS),
  {
    name: ADMIN_URL_ENV_VAR,
    path: [],
    type: 'string',
    allowed: 'an http:// or https:// URL',
    description:
      'CLI only: admin endpoint of the app to talk to (default: loopback and CIRCUIT_BREAKER_ADMIN_PORT).',
  },
  ...section('', 'registry', REGISTRY_FIELDS),
];

const SPECS_BY_NAME = new Map(CIRCUIT_BREAKER_ENV_VARS.map((spec) => [spec.name, spec]));

/** Looks up an env var of the table by name. */
export function envVarSpec(name: string): EnvVarSpec | undefined {
  return SPECS_BY_NAME.get(name);
}

/** The env var that sets the config field at `path` (`['defaults', 'openSeconds']`), if any. */
export function envVarNameFor(path: readonly string[]): string | undefined {
  return CIRCUIT_BREAKER_ENV_VARS.find(
    (spec) => spec.path.length === path.length && spec.path.every((s, i) => s === path[i]),
  )?.name;
}

/**
 * The env var that sets the config field at `path`, for code that names one in a message or reads
 * it itself: the name comes from the table above instead of being retyped, and a path no env var
 * sets fails when the module loads rather than printing `undefined` to a user.
 */
export function envVarName(path: readonly string[]): string {
  const name = envVarNameFor(path);
  if (name === undefined) throw new Error(`no env var sets the config field ${path.join('.')}`);
  return name;
}

const TRUE_WORDS = /^(true|1|yes|on)$/i;
const FALSE_WORDS = /^(false|0|no|off)$/i;
const NUMBER_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

/**
 * The value an env var's text stands for. Text that does not read as its type is passed on as the
 * string it is, so validation reports it verbatim (`got "ten", expected an integer ...`).
 */
export function parseEnvValue(spec: EnvVarSpec, text: string): unknown {
  const trimmed = text.trim();
  switch (spec.type) {
    case 'boolean':
      return TRUE_WORDS.test(trimmed) ? true : FALSE_WORDS.test(trimmed) ? false : trimmed;
    case 'integer':
    case 'number':
      return NUMBER_TEXT.test(trimmed) ? Number(trimmed) : trimmed;
    case 'list':
      return trimmed
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '');
    default:
      return trimmed;
  }
}

/** A Markdown table of every env var, for the README and docs. */
export function formatEnvVarTable(): string {
  const rows = CIRCUIT_BREAKER_ENV_VARS.map((spec) => {
    const field = spec.path.length === 0 ? '—' : `\`${spec.path.join('.')}\``;
    return `| \`${spec.name}\` | ${field} | ${spec.allowed} | ${spec.description} |`;
  });
  return [
    '| Variable | Config field | Allowed | What it does |',
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/**
 * For a variable outside our namespace whose name starts like ours (`CIRCUIT_BRAKER_HOSTS`,
 * `CIRCUITBREAKER_HOSTS`, `CIRCUIT_BREAKERS_HOSTS`, `circuit_breaker_hosts`): the prefix as written,
 * so it can be treated like an unknown `CIRCUIT_BREAKER_*` name rather than silently ignored.
 * A prefix counts when it is within two edits of ours and something follows it.
 */
export function lookalikePrefix(name: string): string | undefined {
  if (name.startsWith(ENV_VAR_PREFIX)) return undefined;
  const upper = name.toUpperCase();
  if (!upper.startsWith('CIRC') && !upper.startsWith('CIRK')) return undefined;
  let best: { prefix: string; distance: number } | undefined;
  for (let length = ENV_VAR_PREFIX.length - 2; length <= ENV_VAR_PREFIX.length + 2; length++) {
    if (length >= name.length) break;
    const prefix = name.slice(0, length);
    if (!prefix.endsWith('_')) continue;
    const distance = levenshtein(prefix, ENV_VAR_PREFIX);
    if (distance <= 2 && (best === undefined || distance < best.distance))
      best = { prefix, distance };
  }
  return best?.prefix;
}

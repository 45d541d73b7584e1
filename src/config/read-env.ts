import type { ConfigProblem } from './config-error.js';
import { didYouMean } from './did-you-mean.js';
import {
  CIRCUIT_BREAKER_ENV_VARS,
  CONFIG_FILE_ENV_VAR,
  ENV_VAR_PREFIX,
  envVarSpec,
  lookalikePrefix,
  parseEnvValue,
} from './env-vars.js';
import type { ConfigSource } from './validate-source.js';

const KNOWN_NAMES = CIRCUIT_BREAKER_ENV_VARS.map((spec) => spec.name);

export interface EnvReadResult {
  /** Raw config built from the env vars, ready for validation; undefined when none is set. */
  readonly source: ConfigSource | undefined;
  /** Unknown `CIRCUIT_BREAKER_*` names, and names that look like ours but are not (`CIRCUIT_BRAKER_HOSTS`). */
  readonly problems: readonly ConfigProblem[];
}

/**
 * Builds the env layer of the config. An empty variable counts as unset (compose files often pass
 * `VAR=` through). Any `CIRCUIT_BREAKER_REDIS_*` variable selects the redis store, since those only
 * mean something for it; the URL may still come from the file or code.
 */
export function readEnv(env: NodeJS.ProcessEnv): EnvReadResult {
  const data: Record<string, unknown> = {};
  const origins: Array<{ path: readonly string[]; name: string }> = [];
  const problems: ConfigProblem[] = [];
  for (const [name, text] of Object.entries(env)) {
    if (text === undefined) continue;
    const lookalike = lookalikePrefix(name);
    if (lookalike !== undefined) {
      const meant = ENV_VAR_PREFIX + name.slice(lookalike.length).toUpperCase();
      problems.push({
        source: `env ${name}`,
        path: '',
        message: `not read: the prefix is ${ENV_VAR_PREFIX}; ${hintFor(meant)}`,
      });
      continue;
    }
    if (!name.startsWith(ENV_VAR_PREFIX) || name === CONFIG_FILE_ENV_VAR) continue;
    const spec = envVarSpec(name);
    if (spec === undefined) {
      problems.push({
        source: `env ${name}`,
        path: '',
        message: `unknown variable; ${hintFor(name)}`,
      });
      continue;
    }
    if (text.trim() === '' || spec.path.length === 0) continue; // empty, or read elsewhere (CLI)
    setIn(data, spec.path, parseEnvValue(spec, text));
    origins.push({ path: spec.path, name });
  }
  if (data.store !== undefined) (data.store as Record<string, unknown>).type = 'redis';
  if (origins.length === 0) return { source: undefined, problems };
  const labelFor = (path: readonly PropertyKey[]): string => {
    let best: { path: readonly string[]; name: string } | undefined;
    for (const origin of origins) {
      const isPrefix = origin.path.every((segment, i) => path[i] === segment);
      if (isPrefix && (best === undefined || origin.path.length > best.path.length)) best = origin;
    }
    return best === undefined ? 'env' : `env ${best.name}`;
  };
  return { source: { kind: 'env', data, labelFor }, problems };
}

function hintFor(name: string): string {
  const suggestion = KNOWN_NAMES.includes(name) ? name : didYouMean(name, KNOWN_NAMES);
  return suggestion === undefined
    ? `not one of the ${KNOWN_NAMES.length} CIRCUIT_BREAKER_* variables this library reads (see the README)`
    : `did you mean "${suggestion}"?`;
}

function setIn(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const segment of path.slice(0, -1)) {
    node[segment] ??= {};
    node = node[segment] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

import type { CircuitBreakerConfig } from './circuit-breaker-config.js';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { mergeSources } from './merge-sources.js';
import { readConfigFile } from './read-config-file.js';
import { readEnv } from './read-env.js';
import { resolveConfig } from './resolve-config.js';
import type { ResolvedConfig } from './resolved-config.js';
import type { RawConfig } from './schema.js';
import { validateSource, type ConfigSource } from './validate-source.js';

export interface LoadConfigOptions {
  /** Config given in code (highest precedence). */
  readonly code?: CircuitBreakerConfig;
  /** Env vars to read; default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Directory a relative CIRCUIT_BREAKER_CONFIG path is resolved against; default `process.cwd()`. */
  readonly cwd?: string;
}

/**
 * Reads, validates and resolves the configuration from the file named by CIRCUIT_BREAKER_CONFIG,
 * the CIRCUIT_BREAKER_* env vars and `code`, with precedence code > env > file (hosts and agents
 * merge field by field). Throws a ConfigError listing every problem of every source at once.
 * Pure: it reads the file and nothing else, and changes nothing (not even its arguments).
 */
export function loadConfig(options: LoadConfigOptions = {}): ResolvedConfig {
  return load(options, 'code');
}

/**
 * Validates and resolves config given to one client's breakers in code (an interceptor, an agent):
 * no file and no env vars are read; messages name the source as `code (<label>)`.
 */
export function loadCodeConfig(code: CircuitBreakerConfig, label: string): ResolvedConfig {
  return load({ code, env: {} }, `code (${label})`);
}

function load(options: LoadConfigOptions, codeLabel: string): ResolvedConfig {
  const env = options.env ?? process.env;
  const file = readConfigFile(env, options.cwd ?? process.cwd());
  const fromEnv = readEnv(env);
  const codeSource: ConfigSource | undefined =
    options.code === undefined
      ? undefined
      : { kind: 'code', data: options.code, labelFor: () => codeLabel };

  const problems: ConfigProblem[] = [...file.problems, ...fromEnv.problems];
  const layers: Array<{ config: RawConfig; source: ConfigSource }> = [];
  for (const source of [file.source, fromEnv.source, codeSource]) {
    if (source === undefined) continue;
    const result = validateSource(source);
    if (result.ok) layers.push({ config: result.config, source });
    else problems.push(...result.problems);
  }
  // Rules spanning fields and sources are only checked on a config whose every field is valid.
  if (problems.length > 0) throw new ConfigError(problems);

  const merge = mergeSources(layers);
  if (merge.problems.length > 0) throw new ConfigError(merge.problems);
  const resolution = resolveConfig(merge, sourceNames(layers.map((layer) => layer.source)));
  if (!resolution.ok) throw new ConfigError(resolution.problems);
  const warnings = file.source !== undefined ? emptyFileWarnings(file.source) : [];
  if (warnings.length === 0) return resolution.config;
  return Object.freeze({ ...resolution.config, warnings: Object.freeze(warnings) });
}

/** A config file with nothing in it is valid, but almost always a mistake (wrong file, lost content). */
function emptyFileWarnings(source: ConfigSource): string[] {
  const data = source.data;
  const empty =
    data === null ||
    data === undefined ||
    (typeof data === 'object' && !Array.isArray(data) && Object.keys(data).length === 0);
  return empty
    ? [`config file ${source.labelFor([])} is empty: nothing is configured from it`]
    : [];
}

function sourceNames(sources: readonly ConfigSource[]): string[] {
  return sources.map((source) => (source.kind === 'file' ? source.labelFor([]) : source.kind));
}

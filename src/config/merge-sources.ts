import type { PresetName, BreakerMode } from '../core/policy.js';
import type { ConfigProblem } from './config-error.js';
import { formatPath, formatValue } from './problem-text.js';
import { parseHostPattern } from './host-pattern.js';
import type { RawConfig, RawHostSettings, RawSettings, RawStore } from './schema.js';
import type { ConfigSource } from './validate-source.js';

/** All sources folded into one, hosts keyed by their canonical pattern. Still unresolved. */
export interface MergedConfig {
  enabled?: boolean;
  quiet?: boolean;
  mode?: BreakerMode;
  preset?: PresetName;
  defaults: RawSettings;
  hosts: Map<string, RawHostSettings>;
  agents: Map<string, RawSettings>;
  store?: RawStore;
  admin: NonNullable<RawConfig['admin']>;
  registry: NonNullable<RawConfig['registry']>;
}

export interface MergeResult {
  readonly merged: MergedConfig;
  /** Label of the source that set the value at a formatted path (`hosts["a.com"].openSeconds`). */
  readonly originOf: (path: readonly PropertyKey[]) => string | undefined;
  readonly problems: readonly ConfigProblem[];
}

const CONNECTION_KEYS = ['url', 'clusterNodes', 'sentinel'] as const;

/**
 * Folds validated sources, lowest precedence first (file, env, code). Hosts and agents merge field
 * by field per entry; `failOn` and `healthCheck` are replaced whole. `defaults.preset`/`defaults.mode` are the same
 * settings as the top-level `preset`/`mode`, so they follow source precedence like them. For the
 * store, the highest source naming a connection (url, clusterNodes or sentinel) decides it alone.
 */
export function mergeSources(
  layers: ReadonlyArray<{ config: RawConfig; source: ConfigSource }>,
): MergeResult {
  const merged: MergedConfig = {
    defaults: {},
    hosts: new Map(),
    agents: new Map(),
    admin: {},
    registry: {},
  };
  const origins = new Map<string, string>();
  const problems: ConfigProblem[] = [];
  for (const { config, source } of layers) {
    const note = (
      mergedPath: readonly PropertyKey[],
      rawPath: readonly PropertyKey[] = mergedPath,
    ) => origins.set(formatPath(mergedPath), source.labelFor(rawPath));
    const { preset, mode, ...defaults } = config.defaults ?? {};
    for (const [key, inDefaults] of [
      ['preset', preset],
      ['mode', mode],
    ] as const) {
      if (inDefaults !== undefined && config[key] !== undefined && config[key] !== inDefaults) {
        problems.push({
          source: source.labelFor(['defaults', key]),
          path: `defaults.${key}`,
          value: formatValue(inDefaults),
          message: `expected the same value as the top-level ${key} (${formatValue(config[key])}), which is the same setting`,
        });
      }
    }
    for (const [key, value] of [
      ['enabled', config.enabled],
      ['quiet', config.quiet],
      ['preset', config.preset ?? preset],
      ['mode', config.mode ?? mode],
    ] as const) {
      if (value === undefined) continue;
      (merged as unknown as Record<string, unknown>)[key] = value;
      const setAtTop = config[key] !== undefined;
      note([key], setAtTop ? [key] : ['defaults', key]);
    }
    mergeFields(merged.defaults, defaults, ['defaults'], note);
    const seen = new Map<string, string>();
    for (const [rawKey, settings] of Object.entries(config.hosts ?? {})) {
      const parsed = parseHostPattern(rawKey);
      if (!parsed.ok) continue; // the schema has already rejected it
      const key = parsed.pattern.key;
      const clash = seen.get(key);
      if (clash !== undefined) {
        problems.push({
          source: source.labelFor(['hosts', rawKey]),
          path: formatPath(['hosts', rawKey]),
          value: formatValue(rawKey),
          message: `duplicate of hosts[${JSON.stringify(clash)}] (patterns are case-insensitive); expected each host once`,
        });
        continue;
      }
      seen.set(key, rawKey);
      const target = merged.hosts.get(key) ?? {};
      merged.hosts.set(key, target);
      mergeFields(target, settings, ['hosts', key], note, ['hosts', rawKey]);
    }
    for (const [name, settings] of Object.entries(config.agents ?? {})) {
      const target = merged.agents.get(name) ?? {};
      merged.agents.set(name, target);
      mergeFields(target, settings, ['agents', name], note);
    }
    if (config.store !== undefined) mergeStore(merged, config.store, note);
    mergeFields(merged.admin, config.admin ?? {}, ['admin'], note);
    mergeFields(merged.registry, config.registry ?? {}, ['registry'], note);
  }
  return { merged, originOf: (path) => origins.get(formatPath(path)), problems };
}

type Note = (mergedPath: readonly PropertyKey[], rawPath?: readonly PropertyKey[]) => void;

function mergeFields(
  target: object,
  fields: object,
  path: readonly PropertyKey[],
  note: Note,
  rawPath: readonly PropertyKey[] = path,
): void {
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    (target as Record<string, unknown>)[key] = value;
    note([...path, key], [...rawPath, key]);
  }
}

function mergeStore(merged: MergedConfig, store: RawStore, note: Note): void {
  if (merged.store === undefined || merged.store.type !== store.type) {
    merged.store = { ...store };
  } else {
    const target = merged.store as Record<string, unknown>;
    if (
      CONNECTION_KEYS.some(
        (key) => key in store && (store as Record<string, unknown>)[key] !== undefined,
      )
    ) {
      for (const key of CONNECTION_KEYS) delete target[key];
    }
    for (const [key, value] of Object.entries(store)) if (value !== undefined) target[key] = value;
  }
  for (const [key, value] of Object.entries(store)) if (value !== undefined) note(['store', key]);
}

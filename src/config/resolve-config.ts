import { resolvePolicy, type BreakerPolicy, type PresetName } from '../core/policy.js';
import type { ConfigProblem } from './config-error.js';
import { AGENT_BREAKER_PREFIX, agentBreakerName } from './agent-breaker-name.js';
import { envVarNameFor } from './env-vars.js';
import { formatPath, formatValue } from './problem-text.js';
import type { MergeResult } from './merge-sources.js';
import type {
  ResolvedAdminConfig,
  ResolvedBreakerRule,
  ResolvedConfig,
  ResolvedHealthCheck,
  ResolvedStoreConfig,
} from './resolved-config.js';
import { resolveHealthCheck } from './resolve-health-check.js';
import type { RawHostSettings, RawSettings } from './schema.js';
import { statusRuleFor } from './status-rule.js';
import {
  DEFAULT_ADMIN_HOST,
  DEFAULT_REDIS_URL,
  REGISTRY_DEFAULTS,
  STORE_DEFAULTS,
} from './defaults.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/** One settings layer of a breaker and where it sits in the config, for messages. */
interface Layer {
  readonly settings: RawSettings;
  readonly path: readonly PropertyKey[];
}

export type Resolution =
  | { readonly ok: true; readonly config: ResolvedConfig }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/**
 * Turns the merged config into per-breaker rules: policy = preset (the entry's, else the global
 * one) + defaults + the entry's fields, with the global mode under all of them. Checks the rules
 * that span fields (maxOpenSeconds >= openSeconds, a token for a non-loopback admin address).
 */
export function resolveConfig(
  { merged, originOf }: MergeResult,
  sources: readonly string[],
): Resolution {
  const problems: ConfigProblem[] = [];
  const globalPreset = merged.preset ?? 'default';
  const defaultsLayer: Layer = { settings: merged.defaults, path: ['defaults'] };

  const rule = (
    name: string,
    layers: readonly Layer[],
    fallbackPreset: PresetName,
    healthCheck?: ResolvedHealthCheck,
  ): ResolvedBreakerRule => {
    const pick = <K extends keyof RawSettings>(key: K): RawSettings[K] => {
      for (let i = layers.length - 1; i >= 0; i--)
        if (layers[i]!.settings[key] !== undefined) return layers[i]!.settings[key];
      return undefined;
    };
    const preset = pick('preset') ?? fallbackPreset;
    const {
      preset: _p,
      rejectWith,
      failOn,
      classify,
      healthCheck: _h,
      ...policyFields
    } = Object.assign({}, ...layers.map((layer) => layer.settings)) as RawHostSettings;
    const policy = Object.freeze(resolvePolicy({ preset, mode: merged.mode, ...policyFields }));
    const context =
      name.startsWith(AGENT_BREAKER_PREFIX) && pick('preset') === undefined
        ? ', the default of agents'
        : '';
    problems.push(...crossFieldProblems(policy, preset, layers, originOf, context));
    const resolved: ResolvedBreakerRule = {
      name,
      policy,
      rejectWith: rejectWith ?? (preset === 'llm' ? 'response' : 'error'),
      isFailureStatus: statusRuleFor(failOn?.statuses),
      quotaOpenSeconds: policy.quotaOpenSeconds,
      ...(classify === undefined ? {} : { classify }),
      ...(healthCheck === undefined ? {} : { healthCheck }),
    };
    return Object.freeze(resolved);
  };

  // Reports bad defaults once, under `defaults.*`; also the rule of a breaker named in code only.
  const hostDefaults = rule('defaults', [defaultsLayer], globalPreset);
  const hosts = [...merged.hosts].map(([pattern, settings]) => {
    const check =
      settings.healthCheck === undefined
        ? undefined
        : resolveHealthCheck(
            pattern,
            settings.healthCheck,
            originOf(['hosts', pattern, 'healthCheck']),
          );
    if (check !== undefined && 'message' in check) problems.push(check);
    const healthCheck = check === undefined || 'message' in check ? undefined : check;
    const layers = [defaultsLayer, { settings, path: ['hosts', pattern] }];
    return rule(pattern, layers, globalPreset, healthCheck);
  });
  // Agents are LLM-like by default; an explicit global preset still applies to them.
  const agentPreset = merged.preset ?? 'llm';
  const agentDefaults = rule(agentBreakerName('*'), [defaultsLayer], agentPreset);
  // No prototype: an agent named `constructor` without an entry must not find Object's.
  const agents: Record<string, ResolvedBreakerRule> = Object.create(null) as Record<
    string,
    ResolvedBreakerRule
  >;
  for (const [name, settings] of merged.agents) {
    agents[name] = rule(
      agentBreakerName(name),
      [defaultsLayer, { settings, path: ['agents', name] }],
      agentPreset,
    );
  }
  const admin = resolveAdmin(merged.admin, originOf, problems);
  const unique = [...new Map(problems.map((p) => [JSON.stringify(p), p])).values()];
  if (unique.length > 0) return { ok: false, problems: unique };
  return {
    ok: true,
    config: Object.freeze({
      enabled: merged.enabled ?? true,
      hosts: Object.freeze(hosts),
      agents: Object.freeze(agents),
      agentDefaults,
      hostDefaults,
      store: resolveStore(merged.store),
      admin,
      registry: Object.freeze({ ...REGISTRY_DEFAULTS, ...merged.registry }),
      sources: Object.freeze([...sources]),
      quiet: merged.quiet ?? false,
      warnings: Object.freeze([]),
    }),
  };
}

/** maxOpenSeconds >= openSeconds, blamed on whichever of the two the user set most specifically. */
function crossFieldProblems(
  policy: BreakerPolicy,
  preset: PresetName,
  layers: readonly Layer[],
  originOf: MergeResult['originOf'],
  context: string,
): ConfigProblem[] {
  if (policy.maxOpenSeconds >= policy.openSeconds) return [];
  const where = (field: keyof BreakerPolicy) => {
    for (let i = layers.length - 1; i >= 0; i--) {
      if (layers[i]!.settings[field] !== undefined) {
        const path = [...layers[i]!.path, field];
        return {
          depth: i,
          path,
          source: originOf(path) ?? 'config',
          text: `${formatPath(path)} from ${originOf(path) ?? 'config'}`,
        };
      }
    }
    return { depth: -1, path: [], source: '', text: `preset "${preset}"${context}` };
  };
  const max = where('maxOpenSeconds');
  const open = where('openSeconds');
  const blameMax = max.depth >= open.depth;
  const blamed = blameMax ? max : open;
  const partner = (field: 'openSeconds' | 'maxOpenSeconds'): string => {
    const fromEnv = blamed.source.startsWith('env ');
    const where = fromEnv
      ? envVarNameFor(['defaults', field])
      : formatPath([...blamed.path.slice(0, -1), field]);
    return `${blameMax ? 'lower' : 'raise'} ${field} (${where}) too`;
  };
  const message = blameMax
    ? `expected at least openSeconds (${policy.openSeconds}, ${open.text}); ${partner('openSeconds')}`
    : `expected at most maxOpenSeconds (${policy.maxOpenSeconds}, ${max.text}); ${partner('maxOpenSeconds')}`;
  const value = blameMax ? policy.maxOpenSeconds : policy.openSeconds;
  return [
    { source: blamed.source, path: formatPath(blamed.path), value: formatValue(value), message },
  ];
}

function resolveStore(store: MergeResult['merged']['store']): ResolvedStoreConfig {
  if (store === undefined || store.type === 'memory') return Object.freeze({ type: 'memory' });
  const { url, clusterNodes, sentinel, ...rest } = store;
  const connection =
    clusterNodes !== undefined
      ? { clusterNodes }
      : sentinel !== undefined
        ? { sentinel }
        : { url: url ?? DEFAULT_REDIS_URL };
  return Object.freeze({ ...STORE_DEFAULTS, ...rest, ...connection, type: 'redis' });
}

function resolveAdmin(
  admin: MergeResult['merged']['admin'],
  originOf: MergeResult['originOf'],
  problems: ConfigProblem[],
): ResolvedAdminConfig | undefined {
  if (admin.port === undefined) return undefined;
  const host = admin.host ?? DEFAULT_ADMIN_HOST;
  if (!LOOPBACK_HOSTS.has(host) && admin.token === undefined) {
    problems.push({
      source: originOf(['admin', 'host']) ?? 'config',
      path: 'admin.host',
      value: formatValue(host),
      message: 'expected a loopback address (127.0.0.1, ::1, localhost) unless admin.token is set',
    });
  }
  return Object.freeze({ port: admin.port, host, token: admin.token });
}

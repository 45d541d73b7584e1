import type { BreakerSettings } from '../../config/circuit-breaker-config.js';
import { ConfigError } from '../../config/config-error.js';
import { loadCodeConfig } from '../../config/load-config.js';
import { formatValue } from '../../config/problem-text.js';
import type { ResolvedBreakerRule } from '../../config/resolved-config.js';
import { strictObject } from '../../config/schema.js';
import {
  argsObject,
  BREAKER_NAME_ALLOWED,
  breakerNameSchema,
  functionSchema,
  objectWith,
  parseCodeArgs,
} from '../../config/validate-code.js';
import { optional, unknown, validate } from '../../config/validator.js';
import type { BreakerMode, PresetName } from '../../core/policy.js';
import { breakers, type BreakerRegistry } from '../../registry/breaker-registry.js';
import { ORIGIN_CACHE_SIZE } from './origin-cache.js';
import { createTargetResolver, RegistryTarget } from './target-resolver.js';
import type { TargetResolver, TransportTarget } from './target.js';

/**
 * Breakers for the requests of one client (an undici interceptor, an http Agent), without any
 * global hook. The same host map, presets and settings as the config, validated the same way.
 */
export interface ClientBreakerOptions {
  /** The hosts to protect: `host`, `host:port` or `*.example.com` keys, as in the config. */
  hosts?: Record<string, BreakerSettings> | string[];
  /** Fields applied to every breaker of this client, on top of the preset. */
  defaults?: BreakerSettings;
  /** Preset every host starts from unless it names its own. Default `default`. */
  preset?: PresetName;
  /** `enforce` (default) or `observe` (never blocks, counts what it would have). */
  mode?: BreakerMode;
  /**
   * Names the breaker of an origin no `hosts` key matches (`https://api.example.com`,
   * `http://10.0.0.7:8080`), or returns undefined to leave it unguarded. Called once per origin;
   * the breaker gets `defaults` (and `preset`).
   */
  breakerName?: (origin: string) => string | undefined;
  /** Registry the breakers live in. Default: the process-wide `breakers`. */
  registry?: BreakerRegistry;
}

const clientArgs = argsObject({
  options: strictObject(
    {
      hosts: optional(unknown),
      defaults: optional(unknown),
      preset: optional(unknown),
      mode: optional(unknown),
      breakerName: optional(functionSchema('a function (origin) => breaker name or undefined')),
      registry: optional(objectWith(['get', 'peek'], 'a BreakerRegistry')),
    },
    'ClientBreakerOptions ({ hosts?, defaults?, preset?, mode?, breakerName?, registry? })',
  ),
});

/** Validates `options` (a ConfigError names `code (<label>)`, the field, the value) and builds its resolver. */
export function clientTargetResolver(label: string, options: unknown): TargetResolver {
  const parsed = parseCodeArgs(label, clientArgs, { options }).options;
  const { breakerName, registry: given, ...settings } = parsed as ClientBreakerOptions;
  if (settings.hosts === undefined && breakerName === undefined) {
    throw new ConfigError([
      {
        source: `code (${label})`,
        path: 'options',
        value: 'no hosts and no breakerName',
        message: 'expected hosts, breakerName or both: without them no request is guarded',
      },
    ]);
  }
  const config = loadCodeConfig(settings, label);
  const registry = given ?? breakers;
  const byHost = createTargetResolver(config.hosts, registry);
  if (breakerName === undefined) return byHost;
  const named = namedTargets(label, breakerName, config.hostDefaults, registry);
  return (hostname, port, protocol) =>
    byHost(hostname, port, protocol) ?? named(originString(protocol, hostname, port));
}

/** Targets named by the caller's function, one per name (origins that share a name share it). */
function namedTargets(
  label: string,
  breakerName: (origin: string) => string | undefined,
  defaults: ResolvedBreakerRule,
  registry: BreakerRegistry,
): (origin: string) => TransportTarget | undefined {
  const targets = new Map<string, TransportTarget>();
  return (origin) => {
    const name = breakerName(origin);
    if (name === undefined) return undefined;
    let target = targets.get(name);
    if (target !== undefined) return target;
    if (validate(breakerNameSchema, name).issues.length > 0) {
      throw new ConfigError([
        {
          source: `code (${label})`,
          path: `breakerName(${origin})`,
          value: formatValue(name),
          message: `expected ${BREAKER_NAME_ALLOWED}, or undefined to leave the origin unguarded`,
        },
      ]);
    }
    target = new RegistryTarget({ ...defaults, name }, registry);
    // Bounded like the origin caches: a function that makes up names cannot grow memory.
    if (targets.size >= ORIGIN_CACHE_SIZE) targets.clear();
    targets.set(name, target);
    return target;
  };
}

/** The origin as `URL.origin` writes it: no default port. */
function originString(protocol: 'http:' | 'https:', hostname: string, port: number): string {
  const defaultPort = protocol === 'https:' ? 443 : 80;
  const host = hostname.includes(':') && hostname[0] !== '[' ? `[${hostname}]` : hostname;
  return port === defaultPort ? `${protocol}//${host}` : `${protocol}//${host}:${port}`;
}

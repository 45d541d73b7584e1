import { createHostMatcher } from './host-matcher.js';
import type { ResolvedBreakerRule } from '../../config/resolved-config.js';
import type { CircuitBreaker } from '../../core/breaker.js';
import type { BreakerRegistry } from '../../registry/breaker-registry.js';
import type { TargetResolver, TransportTarget } from './target.js';

/**
 * A rule bound to the registry. The breaker is kept between calls only while the registry's
 * generation is unchanged, so the transports' origin caches never keep calling a breaker the
 * registry evicted for idleness or removed: the next call then gets (or recreates) the registry's.
 */
export class RegistryTarget implements TransportTarget {
  private kept: CircuitBreaker | undefined;
  private keptGeneration = -1;

  constructor(
    readonly rule: ResolvedBreakerRule,
    private readonly registry: BreakerRegistry,
  ) {}

  /** Read on every admitted call: the kept breaker, or the registry's once its generation moved. */
  get breaker(): CircuitBreaker {
    const kept = this.kept;
    return kept !== undefined && this.keptGeneration === this.registry.generation
      ? kept
      : this.fetchFromRegistry();
  }

  private fetchFromRegistry(): CircuitBreaker {
    const registry = this.registry;
    this.kept = registry.get(this.rule.name, this.rule.policy);
    this.keptGeneration = registry.generation;
    return this.kept;
  }
}

/** Builds the resolver the transports ask when an origin is not in their cache yet. */
export function createTargetResolver(
  rules: readonly ResolvedBreakerRule[],
  registry: BreakerRegistry,
): TargetResolver {
  const matcher = createHostMatcher(rules);
  const targets = new Map<ResolvedBreakerRule, TransportTarget>(
    rules.map((rule) => [rule, new RegistryTarget(rule, registry)]),
  );
  const resolve = (hostname: string, port: number, protocol: 'http:' | 'https:') => {
    const rule = matcher.match(hostname, port, protocol);
    return rule === undefined ? undefined : targets.get(rule);
  };
  return Object.assign(resolve, { guardsHost: (hostname: string) => matcher.mayMatch(hostname) });
}

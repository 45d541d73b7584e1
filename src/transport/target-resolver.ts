import { createHostMatcher } from '../config/host-matcher.js';
import type { ResolvedBreakerRule } from '../config/resolved-config.js';
import type { CircuitBreaker } from '../core/breaker.js';
import type { BreakerRegistry } from '../registry/breaker-registry.js';
import type { TargetResolver, TransportTarget } from './transport-target.js';

/**
 * A rule bound to the registry. The breaker is looked up on each use (one Map.get, paid by
 * configured hosts only) rather than held, so the transports' origin caches never keep calling a
 * breaker the registry evicted for idleness: the next call recreates it where metrics see it.
 */
class RegistryTarget implements TransportTarget {
  constructor(
    readonly rule: ResolvedBreakerRule,
    private readonly registry: BreakerRegistry,
  ) {}
  get breaker(): CircuitBreaker {
    return this.registry.get(this.rule.name, this.rule.policy);
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
  return (hostname, port, protocol) => {
    const rule = matcher.match(hostname, port, protocol);
    return rule === undefined ? undefined : targets.get(rule);
  };
}

import type { CircuitBreaker } from '../../../src/core/breaker.js';
import type { ResolvedBreakerRule } from '../../../src/config/resolved-config.js';
import { defaultIsFailureStatus } from '../../../src/config/status-rule.js';
import { resolvePolicy, type PolicyOverrides } from '../../../src/core/policy.js';
import { BreakerRegistry } from '../../../src/registry/breaker-registry.js';
import { createTargetResolver } from '../../../src/transport/targets/target-resolver.js';
import type { TargetResolver } from '../../../src/transport/targets/target.js';

export interface RuleOptions extends PolicyOverrides {
  readonly rejectWith?: 'error' | 'response';
  readonly classify?: ResolvedBreakerRule['classify'];
}

/** A validated rule as the config loader would produce it. */
export function rule(name: string, options: RuleOptions = {}): ResolvedBreakerRule {
  const { rejectWith = 'error', classify, ...policy } = options;
  return {
    name,
    policy: resolvePolicy({ failureThreshold: 3, minimumCalls: 1000, ...policy }),
    rejectWith,
    isFailureStatus: defaultIsFailureStatus,
    classify,
    quotaOpenSeconds: 60,
  };
}

export interface TransportFixture {
  readonly registry: BreakerRegistry;
  readonly resolve: TargetResolver;
  /** The breaker of a rule, created with the rule's policy (as the transports would create it). */
  breaker(name: string): CircuitBreaker;
}

/** A registry and resolver for `rules`, as the instrumentation wires them. */
export function transportFixture(rules: readonly ResolvedBreakerRule[]): TransportFixture {
  const registry = new BreakerRegistry();
  const byName = new Map(rules.map((r) => [r.name, r]));
  return {
    registry,
    resolve: createTargetResolver(rules, registry),
    breaker: (name) => registry.get(name, byName.get(name)?.policy),
  };
}

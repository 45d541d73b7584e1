import type { ResolvedBreakerRule } from '../../config/resolved-config.js';
import type { CircuitBreaker } from '../../core/breaker.js';

/**
 * The breaker and rule that guard one configured host pattern: a request's target. Everything in
 * this folder finds the target of a host: the rule it matches (host-matcher), the registry's breaker
 * for that rule (target-resolver), and the per-transport caches in front of them.
 */
export interface TransportTarget {
  readonly breaker: CircuitBreaker;
  readonly rule: ResolvedBreakerRule;
}

/**
 * Finds the target guarding a request's host, or undefined for an unlisted host. `port` is always
 * explicit (80/443 filled in), so `https://a.com` and `a.com:443` resolve alike.
 */
export interface TargetResolver {
  (hostname: string, port: number, protocol: 'http:' | 'https:'): TransportTarget | undefined;
  /**
   * False when no port or protocol of `hostname` has a target, so a caller need not read the
   * request's port to know it is unlisted. Without it, any host may have one.
   */
  readonly guardsHost?: (hostname: string) => boolean;
}

import type { ResolvedBreakerRule } from '../config/resolved-config.js';
import type { CircuitBreaker } from '../core/breaker.js';

/** The breaker and rule that guard one configured host pattern. */
export interface TransportTarget {
  readonly breaker: CircuitBreaker;
  readonly rule: ResolvedBreakerRule;
}

/**
 * Finds the target guarding a request's host, or undefined for an unlisted host. `port` is always
 * explicit (80/443 filled in), so `https://a.com` and `a.com:443` resolve alike.
 */
export type TargetResolver = (
  hostname: string,
  port: number,
  protocol: 'http:' | 'https:',
) => TransportTarget | undefined;

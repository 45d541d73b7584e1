import { OriginCache, type OriginTarget } from './origin-cache.js';
import type { TargetResolver } from './target.js';

/**
 * The targets the span processor resolves HTTP client spans against, attached by each enabled
 * transport (both get the same resolver from the instrumentation) and dropped when none is enabled.
 */
const owners = new Map<string, OriginCache>();

export function attachSpanTargets(owner: string, resolve: TargetResolver): void {
  owners.set(owner, new OriginCache(resolve));
}

export function detachSpanTargets(owner: string): void {
  owners.delete(owner);
}

/** The configured target of `scheme://host:port`, if any transport is enabled and guards it. */
export function spanTarget(scheme: string, host: string, port: number): OriginTarget | null {
  const first = owners.values().next();
  if (first.done === true) return null;
  const cache = first.value;
  const protocol = scheme === 'https' ? 'https:' : 'http:';
  const key = `${protocol}//${host}:${port}`;
  const cached = cache.get(key);
  return cached !== undefined ? cached : cache.fill(key, host, port, protocol);
}

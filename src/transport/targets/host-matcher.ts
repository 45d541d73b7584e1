import { normalizeHostname, parseHostPattern } from '../../config/host-pattern.js';
import type { ResolvedBreakerRule } from '../../config/resolved-config.js';

/** Finds the rule of the configured pattern a request's host matches, if any. */
export interface HostMatcher {
  /**
   * `port` undefined means the protocol's default (443 for https:, 80 for http:), so `https://a.com`
   * and `a.com:443` are the same key. Precedence: `host:port` > exact host > longest `*.` suffix.
   */
  match(
    hostname: string,
    port: number | string | undefined,
    protocol: 'http:' | 'https:',
  ): ResolvedBreakerRule | undefined;
  /** Whether some port of `hostname` matches a pattern (`match` then may find a rule). */
  mayMatch(hostname: string): boolean;
  /** Entries in the result cache (bounded by `cacheSize`). */
  readonly cachedKeys: number;
}

export interface HostMatcherOptions {
  /** Most `host:port` results kept; the oldest goes first. Default 10,000. */
  readonly cacheSize?: number;
}

/** Marks a cached miss, so unlisted hosts are one Map lookup too. */
const NO_RULE = null;
type CacheEntry = ResolvedBreakerRule | typeof NO_RULE;

/**
 * Builds the matcher used on every outgoing request. Results, misses included, are cached per port
 * and raw hostname: a repeated host costs two Map lookups on strings the request already has (no
 * `host:port` key is built, which would cost a string concat and a fresh hash per call). The cache
 * holds at most `cacheSize` entries, evicted oldest first through a ring, so a flood of distinct
 * hosts cannot grow memory.
 */
export function createHostMatcher(
  rules: readonly ResolvedBreakerRule[],
  options: HostMatcherOptions = {},
): HostMatcher {
  const cacheSize = Math.max(1, options.cacheSize ?? 10_000);
  const byHostPort = new Map<string, ResolvedBreakerRule>();
  const byHost = new Map<string, ResolvedBreakerRule>();
  const bySuffix = new Map<string, ResolvedBreakerRule>();
  /** The hosts of the `host:port` patterns. */
  const portHosts = new Set<string>();
  for (const rule of rules) {
    const parsed = parseHostPattern(rule.name);
    if (!parsed.ok) throw new TypeError(`not a host pattern: ${rule.name} (${parsed.reason})`);
    const pattern = parsed.pattern;
    if (pattern.kind === 'host-port') {
      byHostPort.set(pattern.key, rule);
      portHosts.add(pattern.host);
    } else if (pattern.kind === 'host') byHost.set(pattern.host, rule);
    else bySuffix.set(pattern.suffix, rule);
  }

  /** The rule of the longest `*.` suffix of `host`: for a.b.example.com, .b.example.com first. */
  const suffixRule = (host: string): ResolvedBreakerRule | undefined => {
    for (let dot = host.indexOf('.'); dot !== -1; dot = host.indexOf('.', dot + 1)) {
      const rule = bySuffix.get(host.slice(dot));
      if (rule !== undefined) return rule;
    }
    return undefined;
  };

  const resolve = (hostname: string, port: number): ResolvedBreakerRule | undefined => {
    const host = normalizeHostname(hostname);
    const exact = byHostPort.get(`${host}:${port}`) ?? byHost.get(host);
    if (exact !== undefined || bySuffix.size === 0) return exact;
    return suffixRule(host);
  };

  const cache = new Map<number, Map<string, CacheEntry>>();
  // Insertion ring: slot i holds the i-th cached (port, hostname); the oldest is overwritten first.
  // It grows as hosts arrive rather than starting at `cacheSize` slots (160 KB at the default).
  const ringPorts: number[] = [];
  const ringHosts: string[] = [];
  let next = 0;
  let size = 0;

  const remember = (hostname: string, port: number, entry: CacheEntry): void => {
    if (size === cacheSize) {
      const oldPort = ringPorts[next]!;
      const oldHosts = cache.get(oldPort)!;
      oldHosts.delete(ringHosts[next]!);
      if (oldHosts.size === 0) cache.delete(oldPort);
      ringPorts[next] = port;
      ringHosts[next] = hostname;
    } else {
      size++;
      ringPorts.push(port);
      ringHosts.push(hostname);
    }
    next = (next + 1) % cacheSize;
    let hosts = cache.get(port);
    if (hosts === undefined) cache.set(port, (hosts = new Map()));
    hosts.set(hostname, entry);
  };

  return {
    match(hostname, port, protocol) {
      const effectivePort =
        port === undefined || port === '' ? (protocol === 'https:' ? 443 : 80) : +port;
      const cached = cache.get(effectivePort)?.get(hostname);
      if (cached !== undefined) return cached ?? undefined;
      const rule = resolve(hostname, effectivePort);
      remember(hostname, effectivePort, rule ?? NO_RULE);
      return rule;
    },
    mayMatch(hostname) {
      const host = normalizeHostname(hostname);
      return byHost.has(host) || portHosts.has(host) || suffixRule(host) !== undefined;
    },
    get cachedKeys() {
      return size;
    },
  };
}

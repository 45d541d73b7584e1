import type { TargetResolver, TransportTarget } from './target.js';

/** A configured host as one request saw it: the target plus the host facts spans and hooks need. */
export interface OriginTarget {
  readonly target: TransportTarget;
  /** Hostname as the request named it (lower case, IPv6 in brackets as `new URL()` gives it). */
  readonly hostname: string;
  readonly port: number;
}

/** Most origins remembered; the whole cache is dropped when full (a flood of hosts stays bounded). */
export const ORIGIN_CACHE_SIZE = 10_000;

/**
 * Per-transport cache from an origin key to its target, misses included, so a request to an
 * unlisted host costs one `Map.get` on a string the request already carries. Host, port and
 * protocol are worked out only on a miss.
 */
export class OriginCache {
  private readonly entries = new Map<string, OriginTarget | null>();

  constructor(
    private readonly resolve: TargetResolver,
    private readonly maxEntries = ORIGIN_CACHE_SIZE,
  ) {}

  /** The origin asked last and its answer: a client that calls one host skips the map lookup. */
  private lastKey: string | undefined = undefined;
  private lastEntry: OriginTarget | null = null;

  /**
   * The cached answer: an entry, `null` for a known unlisted origin, undefined when not cached. The
   * origin asked last costs a string comparison: an app that calls one host most of the time (the
   * usual undici Agent, interceptor or http Agent) pays no Map lookup.
   */
  get(key: string): OriginTarget | null | undefined {
    return key === this.lastKey ? this.lastEntry : this.lookup(key);
  }

  private lookup(key: string): OriginTarget | null | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      this.lastKey = key;
      this.lastEntry = entry;
    }
    return entry;
  }

  /** Resolves and caches `key`; `hostname` and `port` as the request gives them. */
  fill(
    key: string,
    hostname: string,
    port: number,
    protocol: 'http:' | 'https:',
  ): OriginTarget | null {
    const target = this.resolve(hostname, port, protocol);
    return this.store(key, target === undefined ? null : { target, hostname, port });
  }

  /** Resolves an origin string such as `https://api.example.com` or `http://[::1]:8080`. */
  fillFromOrigin(origin: string): OriginTarget | null {
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return this.rememberUnlisted(origin);
    }
    const protocol = url.protocol;
    if (protocol !== 'http:' && protocol !== 'https:') return this.rememberUnlisted(origin);
    const port = url.port === '' ? (protocol === 'https:' ? 443 : 80) : Number(url.port);
    return this.fill(origin, url.hostname, port, protocol);
  }

  /** False when no origin of `hostname` can have a target (see TargetResolver.guardsHost). */
  guardsHost(hostname: string): boolean {
    return this.resolve.guardsHost?.(hostname) ?? true;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Caches `key` as not configured (no host to resolve, or a scheme we do not guard). */
  rememberUnlisted(key: string): null {
    return this.store(key, null);
  }

  /** Caches `entry` under `key`, dropping everything else when full; it is the last answer. */
  private store<E extends OriginTarget | null>(key: string, entry: E): E {
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, entry);
    this.lastKey = key;
    this.lastEntry = entry;
    return entry;
  }
}

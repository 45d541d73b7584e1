import { ORIGIN_CACHE_SIZE, type OriginCache, type OriginTarget } from './origin-cache.js';

/** What `ClientRequest` passes to `Agent#addRequest`: host and port are always filled in. */
export interface AgentRequestOptions {
  host?: string;
  port?: number | string;
  protocol?: string;
  socketPath?: string;
  method?: string;
}

/** One (protocol, port) a host was asked for, with the answer. */
interface Variant {
  readonly protocol: string;
  readonly port: unknown;
  readonly entry: OriginTarget | null;
}

/** Most (protocol, port) pairs remembered per host; more are looked up through the origin key. */
const MAX_VARIANTS = 8;

/**
 * The target of an agent request, found by host, then protocol and port as the request gives them,
 * so a known origin costs one `Map.get` on the host string the request already carries: building
 * the `protocol//host:port` key of the origin cache (a concatenation, then hashing its flattened
 * copy) cost more than the rest of the pass-through path.
 */
export class HttpAgentTargets {
  private readonly hosts = new Map<string, Variant[]>();
  /**
   * The origin found last and its answer: a client that calls one host compares three values
   * instead of hashing the host string, which a request made from a fresh URL carries unhashed.
   */
  private lastHost: string | undefined = undefined;
  private lastProtocol = '';
  private lastPort: unknown = undefined;
  private lastEntry: OriginTarget | null = null;
  /**
   * The host found last that no port or protocol of has a target: a request to it is unlisted
   * without a read of its port, which Node passes in a dictionary-mode object.
   */
  private unlistedHost: string | undefined = undefined;

  constructor(readonly cache: OriginCache) {}

  /**
   * The configured target of a request to `host` and `options.port` (as `ClientRequest` gives them
   * to the agent), or null for an unlisted (or unguardable) origin.
   */
  find(
    protocol: string,
    host: string | undefined,
    options: AgentRequestOptions,
  ): OriginTarget | null {
    // Also true for no host at all (neither is set), which has no target either.
    if (host === this.unlistedHost) return null;
    const port = options.port;
    if (host === this.lastHost && port === this.lastPort && protocol === this.lastProtocol) {
      return this.lastEntry;
    }
    const entry = this.lookUp(protocol, host, port);
    if (typeof host === 'string') {
      this.lastHost = host;
      this.lastProtocol = protocol;
      this.lastPort = port;
      this.lastEntry = entry;
      if (entry === null && !this.cache.guardsHost(host)) this.unlistedHost = host;
    }
    return entry;
  }

  private lookUp(protocol: string, host: string | undefined, port: unknown): OriginTarget | null {
    const variants = typeof host === 'string' ? this.hosts.get(host) : undefined;
    if (variants !== undefined) {
      for (let i = 0; i < variants.length; i++) {
        const variant = variants[i]!;
        if (variant.port === port && variant.protocol === protocol) return variant.entry;
      }
    }
    const entry = this.byKey(protocol, host, port);
    if (typeof host === 'string') this.remember(host, variants, { protocol, port, entry });
    return entry;
  }

  private byKey(protocol: string, host: string | undefined, port: unknown): OriginTarget | null {
    const key = `${protocol}//${host}:${port}`;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    if ((protocol !== 'http:' && protocol !== 'https:') || host === undefined) {
      return this.cache.rememberUnlisted(key);
    }
    return this.cache.fill(key, host, Number(port ?? (protocol === 'https:' ? 443 : 80)), protocol);
  }

  private remember(host: string, variants: Variant[] | undefined, variant: Variant): void {
    if (variants !== undefined) {
      if (variants.length < MAX_VARIANTS) variants.push(variant);
      return;
    }
    // Bounded like the origin cache: a flood of hosts drops what was remembered.
    if (this.hosts.size >= ORIGIN_CACHE_SIZE) this.hosts.clear();
    this.hosts.set(host, [variant]);
  }
}

import type { OriginCache, OriginTarget } from './origin-cache.js';
import type { DispatchOptions } from '../undici/handler-types.js';

/** Origin of a Client/Pool used directly (`new Pool(origin).request({ path })`): no `opts.origin`. */
const ownOrigins = new WeakMap<object, string | null>();

/** The origin a Client or Pool was created for, or null for any other dispatcher. */
export function ownOrigin(dispatcher: object): string | null {
  let origin = ownOrigins.get(dispatcher);
  if (origin !== undefined) return origin;
  origin = null;
  // undici keeps it under a private symbol described 'url' (a URL) in every major.
  for (const symbol of Object.getOwnPropertySymbols(dispatcher)) {
    if (symbol.description !== 'url') continue;
    const url = (dispatcher as Record<symbol, unknown>)[symbol] as { origin?: unknown } | undefined;
    if (typeof url?.origin === 'string') origin = url.origin;
  }
  ownOrigins.set(dispatcher, origin);
  return origin;
}

/**
 * The configured host a dispatch goes to, or null. fetch, request, stream and friends pass
 * `opts.origin` as the canonical `URL.origin` string: a cached origin costs one `Map.get`.
 */
export function targetOfDispatch(
  cache: OriginCache,
  dispatcher: object,
  opts: DispatchOptions,
): OriginTarget | null {
  const origin = opts.origin;
  let key: string | null;
  if (typeof origin === 'string') key = origin;
  else if (origin != null && typeof origin.origin === 'string') key = origin.origin;
  else key = ownOrigin(dispatcher);
  return key === null ? null : targetOfOrigin(cache, key);
}

/** The configured host of an origin string such as `http://127.0.0.1:8080`, or null. */
export function targetOfOrigin(cache: OriginCache, origin: string): OriginTarget | null {
  const cached = cache.get(origin);
  return cached !== undefined ? cached : cache.fillFromOrigin(origin);
}

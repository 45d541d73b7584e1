import type { OriginCache } from '../targets/origin-cache.js';
import { admit } from './admission.js';
import { targetOfDispatch } from '../targets/undici-dispatch-target.js';
import { undiciAccepts } from './handler-check.js';
import {
  kDecidedRequest,
  kOurHandler,
  type DispatchFn,
  type DispatchHandler,
  type DispatchOptions,
  type HandlerFamily,
  type OriginalDispatch,
} from './handler-types.js';

interface PatchedPrototype {
  readonly original: DispatchFn;
  readonly replacement: DispatchFn;
}

/**
 * Which handler API a DispatcherBase speaks, found without side effects: with `opts = null` every
 * major fails before touching `this`, and reports the failure through `onError` (6, 7) or
 * `onResponseError` (8). A second probe with `onRequestStart` tells 7 (which unwraps it and so
 * reports through `onResponseError`) from 6 (which treats it as an old-API handler).
 */
function probeFamily(proto: object, original: DispatchFn): HandlerFamily | undefined {
  const first = probe(proto, original, false);
  if (first !== 'legacy') return first;
  return probe(proto, original, true) === 'v2' ? 'unwrap' : 'legacy';
}

function probe(proto: object, original: DispatchFn, newApi: boolean): HandlerFamily | undefined {
  let family: HandlerFamily | undefined;
  const handler: DispatchHandler = {
    onError() {
      family = 'legacy';
    },
    onResponseError() {
      family = 'v2';
    },
  };
  if (newApi) handler.onRequestStart = () => {};
  try {
    original.call(Object.create(proto) as object, null, handler);
  } catch {
    // Some versions throw after reporting; the family is known either way.
  }
  return family;
}

/**
 * A ProxyAgent's tunnel (undici 6 and 7 tunnel even plain-http targets): a CONNECT whose path is
 * the target's `host:port`. The request it carries was already decided under the target, at the
 * ProxyAgent's own dispatch; the proxy's host is never charged for it.
 */
export function isProxyTunnel(opts: DispatchOptions): boolean {
  return opts.method === 'CONNECT' && typeof opts.path === 'string' && opts.path[0] !== '/';
}

/** The DispatcherBase prototype above `start` (an Agent, a Dispatcher1Wrapper, ...), if any. */
export function findDispatcherBase(start: unknown): object | undefined {
  if (typeof start !== 'object' || start === null) return undefined;
  for (let p = Object.getPrototypeOf(start) as object | null; p; p = Object.getPrototypeOf(p)) {
    if (
      Object.hasOwn(p, 'dispatch') &&
      (p as { constructor?: { name?: string } }).constructor?.name === 'DispatcherBase'
    ) {
      return p;
    }
  }
  return undefined;
}

/**
 * Patches `DispatcherBase.prototype.dispatch` of undici copies (one prototype per copy) and puts
 * them back. Each request is decided once, at its outermost dispatch; nested dispatches see our
 * wrapper handler and go straight to the original.
 */
export class DispatcherPatches {
  private readonly patched = new Map<object, PatchedPrototype>();

  /** @param origins read on every dispatch, so a re-enable with new config needs no re-patch. */
  constructor(private readonly origins: () => OriginCache | undefined) {}

  get size(): number {
    return this.patched.size;
  }

  patch(proto: object | undefined): boolean {
    if (proto === undefined || this.patched.has(proto) || !Object.hasOwn(proto, 'dispatch')) {
      return false;
    }
    const original = (proto as { dispatch: DispatchFn }).dispatch;
    if (typeof original !== 'function') return false;
    const family = probeFamily(proto, original);
    if (family === undefined) return false;
    const origins = this.origins;
    const base: OriginalDispatch = { dispatch: original, family };
    const decide = (
      dispatcher: object,
      opts: DispatchOptions,
      handler: DispatchHandler,
    ): boolean => {
      const cache = origins();
      if (cache === undefined) return original.call(dispatcher, opts, handler);
      const entry = targetOfDispatch(cache, dispatcher, opts);
      // A handler undici refuses goes to undici untouched, for its own error (and is not counted);
      // so does a proxy tunnel, whose request is decided under its target's host, and a request a
      // circuit-breaker interceptor above already decided. Nested dispatches of a passed-through
      // request are decided again: the origin string of the last lookup is answered without a Map
      // lookup, which costs less than remembering the request (a store into an old object pays
      // V8's write barrier).
      if (
        entry === null ||
        isProxyTunnel(opts) ||
        opts[kDecidedRequest] === true ||
        !undiciAccepts(family, handler, opts)
      ) {
        return original.call(dispatcher, opts, handler);
      }
      return admit(dispatcher, base, opts, handler, entry);
    };
    // Nested dispatches (Agent -> Pool -> Client) of an admitted request carry our wrapper and go
    // straight on, through a function this small: without the frame and spills of the decision.
    const replacement: DispatchFn = function dispatch(opts, handler) {
      return opts == null ||
        handler == null ||
        (handler as { [kOurHandler]?: true })[kOurHandler] === true
        ? original.call(this, opts, handler)
        : decide(this, opts, handler);
    };
    (proto as { dispatch: DispatchFn }).dispatch = replacement;
    this.patched.set(proto, { original, replacement });
    return true;
  }

  /** Puts every original back (unless someone patched over us since: then ours stays inert). */
  restoreAll(): void {
    for (const [proto, { original, replacement }] of this.patched) {
      const holder = proto as { dispatch: DispatchFn };
      if (holder.dispatch === replacement) holder.dispatch = original;
    }
    this.patched.clear();
  }
}

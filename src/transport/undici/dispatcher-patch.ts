import type { OriginCache, OriginTarget } from '../targets/origin-cache.js';
import { admit } from './admission.js';
import { ownOrigin, targetOfDispatch, targetOfOrigin } from '../targets/undici-dispatch-target.js';
import { undiciAccepts } from './handler-check.js';
import { InstanceDispatches } from './instance-dispatches.js';
import {
  kDecidedRequest,
  kOurHandler,
  type DispatchFn,
  type DispatchHandler,
  type DispatchOptions,
  type HandlerFamily,
  type OriginalDispatch,
} from './handler-types.js';

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

/** Whether a request at a configured host's dispatcher goes to undici as it came, undecided. */
function passesUndecided(
  family: HandlerFamily,
  opts: DispatchOptions,
  handler: DispatchHandler,
): boolean {
  // A handler undici refuses goes to undici untouched, for its own error (and is not counted); so
  // does a proxy tunnel, whose request is decided under its target's host, and a request a
  // circuit-breaker interceptor above already decided.
  return (
    isProxyTunnel(opts) || opts[kDecidedRequest] === true || !undiciAccepts(family, handler, opts)
  );
}

/** One patched prototype: its original `dispatch` and how its instances decide. */
class PatchedDispatcherBase {
  readonly base: OriginalDispatch;
  readonly replacement: DispatchFn;
  /** The dispatch of each configured host's single-origin dispatchers, one per target. */
  private readonly guarded = new Map<OriginTarget, DispatchFn>();
  private perCall: { readonly cache: OriginCache; readonly dispatch: DispatchFn } | undefined;

  constructor(
    readonly proto: object,
    readonly original: DispatchFn,
    family: HandlerFamily,
    origins: () => OriginCache | undefined,
    instances: InstanceDispatches,
  ) {
    this.base = { dispatch: original, family };
    // The prototype's method runs once per dispatcher, at its first request: it gives the instance
    // its own `dispatch` (see dispatchFor) and hands the request to it. Instances that cannot take
    // one (a dispatch of their own, a subclass that overrides it) decide here on every call.
    const dispatchFor = (
      dispatcher: object,
      cache: OriginCache,
      opts: DispatchOptions | null | undefined,
      handler: DispatchHandler | null | undefined,
    ) => this.dispatchFor(dispatcher, cache, opts, handler);
    const perCall = (cache: OriginCache) => this.perCallDispatch(cache);
    this.replacement = function dispatch(opts, handler) {
      const cache = origins();
      if (cache === undefined) return original.call(this, opts, handler);
      if (!instances.accepts(this, proto)) return perCall(cache).call(this, opts, handler);
      const own = dispatchFor(this, cache, opts, handler);
      instances.give(this, own);
      return own.call(this, opts, handler);
    };
  }

  /**
   * What a dispatcher does with every request it is given, from its first request. A Pool or
   * Client has one origin for life: for an unlisted one that is undici's own `dispatch` (no code of
   * ours per request), for a configured one a decision bound to its target. A configured one whose
   * first request the hook already decided further up sits inside that dispatcher (an Agent's Pool,
   * a Pool's Client), which decides all its requests: it gets undici's own `dispatch` as well. Any
   * other dispatcher (an Agent, a proxy's wrapper) decides each request by the origin it names.
   */
  private dispatchFor(
    dispatcher: object,
    cache: OriginCache,
    opts: DispatchOptions | null | undefined,
    handler: DispatchHandler | null | undefined,
  ): DispatchFn {
    const origin = ownOrigin(dispatcher);
    if (origin === null) return this.perCallDispatch(cache);
    const entry = targetOfOrigin(cache, origin);
    if (entry === null) return this.original;
    // A request an interceptor decided carries our wrapper too, but the interceptor may sit on a
    // dispatcher the app also uses without it: only the hook's own decision says what is above.
    const decidedAbove = handler?.[kOurHandler] === true && opts?.[kDecidedRequest] !== true;
    return decidedAbove ? this.original : this.guardedDispatch(entry);
  }

  /** Drops every decision bound to a target (the config changed or the hook is off). */
  forgetTargets(): void {
    this.guarded.clear();
    this.perCall = undefined;
  }

  private guardedDispatch(entry: OriginTarget): DispatchFn {
    let dispatch = this.guarded.get(entry);
    if (dispatch !== undefined) return dispatch;
    const { base, original } = this;
    const family = base.family;
    // Nested dispatches (a Pool's Client) of an admitted request carry our wrapper and go straight on.
    dispatch = function dispatch(opts, handler) {
      return opts == null ||
        handler == null ||
        handler[kOurHandler] === true ||
        passesUndecided(family, opts, handler)
        ? original.call(this, opts, handler)
        : admit(this, base, opts, handler, entry);
    };
    this.guarded.set(entry, dispatch);
    return dispatch;
  }

  private perCallDispatch(cache: OriginCache): DispatchFn {
    if (this.perCall?.cache === cache) return this.perCall.dispatch;
    const { base, original } = this;
    const family = base.family;
    // The origin string of the last lookup is answered without a Map lookup (OriginCache.get).
    const dispatch: DispatchFn = function dispatch(opts, handler) {
      if (opts == null || handler == null || handler[kOurHandler] === true) {
        return original.call(this, opts, handler);
      }
      const entry = targetOfDispatch(cache, this, opts);
      return entry === null || passesUndecided(family, opts, handler)
        ? original.call(this, opts, handler)
        : admit(this, base, opts, handler, entry);
    };
    this.perCall = { cache, dispatch };
    return dispatch;
  }
}

/**
 * Patches `DispatcherBase.prototype.dispatch` of undici copies (one prototype per copy) and puts
 * them back. Each request is decided once, at the outermost dispatcher that can name its origin;
 * nested dispatches see our wrapper handler and go straight to the original.
 */
export class DispatcherPatches {
  private readonly patched = new Map<object, PatchedDispatcherBase>();
  private readonly instances = new InstanceDispatches();

  /** @param origins read at each dispatcher's first request; see `forgetInstances`. */
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
    const patch = new PatchedDispatcherBase(proto, original, family, this.origins, this.instances);
    (proto as { dispatch: DispatchFn }).dispatch = patch.replacement;
    this.patched.set(proto, patch);
    return true;
  }

  /**
   * Takes back every dispatcher's own `dispatch`, so each decides again at its next request with
   * the config `origins` gives then.
   */
  forgetInstances(): void {
    this.instances.takeAllBack();
    for (const patch of this.patched.values()) patch.forgetTargets();
  }

  /** Puts every original back (unless someone patched over us since: then ours stays inert). */
  restoreAll(): void {
    this.forgetInstances();
    for (const [proto, { original, replacement }] of this.patched) {
      const holder = proto as { dispatch: DispatchFn };
      if (holder.dispatch === replacement) holder.dispatch = original;
    }
    this.patched.clear();
  }
}

import { OriginCache } from '../targets/origin-cache.js';
import { targetOfDispatch } from '../targets/undici-dispatch-target.js';
import { clientTargetResolver, type ClientBreakerOptions } from '../targets/client-targets.js';
import { admit } from './admission.js';
import { isProxyTunnel } from './dispatcher-patch.js';
import { undiciAccepts } from './handler-check.js';
import { undiciTransportEnabled } from './undici-transport.js';
import {
  isNewApiHandler,
  kDecidedRequest,
  kOurHandler,
  type DispatchFn,
  type DispatchHandler,
  type DispatchOptions,
  type OriginalDispatch,
} from './handler-types.js';

/** The next dispatch of the chain: a bound `dispatcher.dispatch` or the next interceptor's. */
type NextDispatch = (
  opts: DispatchOptions | null | undefined,
  handler: DispatchHandler | null | undefined,
) => boolean;

/** What undici's `compose()` calls an interceptor with, and what the interceptor returns. */
export type UndiciDispatch = (opts: never, handler: never) => boolean;
/** An undici interceptor: `new Agent().compose(circuitBreakerInterceptor(options))`. */
export type UndiciInterceptor = <D extends UndiciDispatch>(dispatch: D) => D;

/**
 * An undici interceptor (undici 6.x `compose`, 7, 8) that asks a breaker before each request to a
 * configured origin leaves it, with the same admission, outcome rules, rejection (`rejectWith`),
 * registry and telemetry as the global hook, and no patch of anything. Composed outside `retry()`
 * it decides once per logical request; inside, once per attempt. A request it decided carries a
 * marker in its options while the global hook is on, so a patched dispatcher below (or a second
 * interceptor) lets it through.
 *
 * ```ts
 * const dispatcher = new Agent().compose(circuitBreakerInterceptor({ hosts: ['api.example.com'] }));
 * await fetch('https://api.example.com/v1/items', { dispatcher });
 * ```
 */
export function circuitBreakerInterceptor(options: ClientBreakerOptions): UndiciInterceptor {
  const origins = new OriginCache(clientTargetResolver('circuitBreakerInterceptor', options));
  return ((dispatch: NextDispatch) => guardedDispatch(dispatch, origins)) as UndiciInterceptor;
}

function guardedDispatch(dispatch: NextDispatch, origins: OriginCache): NextDispatch {
  // Which API to answer a rejection in, and which observer to wrap with, follow the caller's
  // handler: undici 7 `compose()` shows interceptors new-API handlers only, undici 6 old-API ones.
  const next = dispatch as DispatchFn;
  const newApi: OriginalDispatch = { dispatch: next, family: 'v2' };
  const legacy: OriginalDispatch = { dispatch: next, family: 'legacy' };
  return function circuitBreakerDispatch(opts, handler) {
    if (
      opts == null ||
      handler == null ||
      opts[kDecidedRequest] === true ||
      handler[kOurHandler] === true
    ) {
      return dispatch(opts, handler);
    }
    // Every request through an Agent names its origin, and undici 8 fills in the origin of a
    // Client or Pool the chain is composed on. On 6 and 7 a request to such a dispatcher that names
    // none passes unguarded: the dispatch function has no origin of its own.
    const entry = targetOfDispatch(origins, dispatch, opts);
    const base = isNewApiHandler(handler) ? newApi : legacy;
    if (entry === null || isProxyTunnel(opts) || !undiciAccepts(base.family, handler, opts)) {
      return dispatch(opts, handler);
    }
    // Only a patched dispatcher below would decide it again: without the global hook the options
    // go on as they are, with no copy.
    const forward: DispatchOptions = undiciTransportEnabled()
      ? { ...opts, [kDecidedRequest]: true }
      : opts;
    return admit(dispatch, base, forward, handler, entry);
  };
}

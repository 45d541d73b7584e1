import type { CircuitBreaker } from '../../core/breaker.js';
import type { Permit } from '../../core/permit.js';
import { isPending } from '../pending-permit.js';
import { circuitOpenResponse } from '../circuit-open-response.js';
import type { OriginTarget } from '../targets/origin-cache.js';
import { recordTransportRejection } from '../rejection-span.js';
import { respondToRequest, rejectRequest } from './early-reply.js';
import { newObserver } from './body-hooks.js';
import {
  isNewApiHandler,
  speaksNewApi,
  type DispatchHandler,
  type DispatchOptions,
  type OriginalDispatch,
} from './handler-types.js';
import { UnwrappingObserver } from './observing-handlers.js';
import { settleCallError } from '../transport-call.js';

/**
 * Asks the breaker before the request reaches any socket, for one request to a configured host at
 * the outermost dispatch that saw it. Returns what `dispatch()` must return: `true` when we
 * answered ourselves (false would make a calling Pool wait for a drain).
 */
export function admit(
  dispatcher: object,
  base: OriginalDispatch,
  opts: DispatchOptions,
  handler: DispatchHandler,
  entry: OriginTarget,
): boolean {
  const breaker = entry.target.breaker;
  const acquired = breaker.tryAcquire();
  if (acquired === null) return refuse(base, opts, handler, entry, breaker);
  if (!isPending(acquired)) {
    return dispatchObserved(dispatcher, base, opts, handler, entry, breaker, acquired);
  }
  // A half-open probe waits for the fleet's permit; the request is dispatched when it arrives.
  acquired.then(
    (permit) =>
      permit === null
        ? refuse(base, opts, handler, entry, breaker)
        : dispatchObserved(dispatcher, base, opts, handler, entry, breaker, permit),
    () => dispatchUnobserved(dispatcher, base, opts, handler),
  );
  return true;
}

function refuse(
  base: OriginalDispatch,
  opts: DispatchOptions,
  handler: DispatchHandler,
  entry: OriginTarget,
  breaker: CircuitBreaker,
): boolean {
  const error = breaker.rejectionError();
  recordTransportRejection(error, opts.method, entry);
  const newApi = speaksNewApi(base.family, handler);
  if (entry.target.rule.rejectWith === 'response') {
    respondToRequest(handler, newApi, circuitOpenResponse(error));
  } else {
    rejectRequest(handler, newApi, error);
  }
  return true;
}

function dispatchObserved(
  dispatcher: object,
  base: OriginalDispatch,
  opts: DispatchOptions,
  handler: DispatchHandler,
  entry: OriginTarget,
  breaker: CircuitBreaker,
  permit: Permit,
): boolean {
  const clock = breaker.clock;
  const observer =
    base.family === 'unwrap' && isNewApiHandler(handler)
      ? new UnwrappingObserver(entry, permit, clock, handler)
      : newObserver(base.family === 'v2', handler, entry, permit, clock);
  try {
    // Every observer has the callbacks its handler family needs (the classes differ in body hooks).
    return base.dispatch.call(dispatcher, opts, observer as DispatchHandler);
  } catch (error) {
    settleCallError(observer, error, false);
    throw error;
  }
}

/** The store failed to answer (it must not, but never let that break a call): let it through. */
function dispatchUnobserved(
  dispatcher: object,
  base: OriginalDispatch,
  opts: DispatchOptions,
  handler: DispatchHandler,
): boolean {
  try {
    return base.dispatch.call(dispatcher, opts, handler);
  } catch (error) {
    rejectRequest(handler, speaksNewApi(base.family, handler), error);
    return true;
  }
}

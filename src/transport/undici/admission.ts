import type { CircuitBreaker } from '../../core/breaker.js';
import type { Permit } from '../../core/permit.js';
import { isPending } from '../acquire.js';
import { CallRecorder } from '../call-recorder.js';
import { circuitOpenResponse } from '../circuit-open-response.js';
import type { OriginTarget } from '../origin-cache.js';
import { recordTransportRejection } from '../rejection-span.js';
import { respondToRequest, rejectRequest } from './early-reply.js';
import {
  isNewApiHandler,
  type DispatchFn,
  type DispatchHandler,
  type DispatchOptions,
  type HandlerFamily,
} from './handler-types.js';
import { LegacyObserver, NewApiObserver, UnwrappingObserver } from './observers.js';

/** One request to a configured host, at the outermost dispatch that saw it. */
export interface GuardedDispatch {
  readonly dispatcher: object;
  readonly original: DispatchFn;
  readonly family: HandlerFamily;
  readonly opts: DispatchOptions;
  readonly handler: DispatchHandler;
  readonly entry: OriginTarget;
}

/**
 * Asks the breaker before the request reaches any socket. Returns what `dispatch()` must return:
 * `true` when we answered ourselves (false would make a calling Pool wait for a drain).
 */
export function admit(call: GuardedDispatch): boolean {
  const breaker = call.entry.target.breaker;
  const acquired = breaker.tryAcquire();
  if (acquired === null) return refuse(call, breaker);
  if (!isPending(acquired)) return dispatchObserved(call, acquired);
  // A half-open probe waits for the fleet's permit; the request is dispatched when it arrives.
  acquired.then(
    (permit) => (permit === null ? refuse(call, breaker) : dispatchObserved(call, permit)),
    () => dispatchUnobserved(call),
  );
  return true;
}

function refuse(call: GuardedDispatch, breaker: CircuitBreaker): boolean {
  const error = breaker.rejectionError();
  recordTransportRejection(error, call.opts.method, call.entry);
  if (call.entry.target.rule.rejectWith === 'response') {
    respondToRequest(call.handler, circuitOpenResponse(error));
  } else {
    rejectRequest(call.handler, error);
  }
  return true;
}

function dispatchObserved(call: GuardedDispatch, permit: Permit): boolean {
  const recorder = new CallRecorder(call.entry, permit);
  const observer =
    call.family === 'v2'
      ? new NewApiObserver(call.handler, recorder)
      : isNewApiHandler(call.handler)
        ? new UnwrappingObserver(call.handler, recorder)
        : new LegacyObserver(call.handler, recorder);
  try {
    return call.original.call(call.dispatcher, call.opts, observer);
  } catch (error) {
    recorder.error(error, false);
    throw error;
  }
}

/** The store failed to answer (it must not, but never let that break a call): let it through. */
function dispatchUnobserved(call: GuardedDispatch): boolean {
  try {
    return call.original.call(call.dispatcher, call.opts, call.handler);
  } catch (error) {
    rejectRequest(call.handler, error);
    return true;
  }
}

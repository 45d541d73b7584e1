import { errorMonitor } from 'node:events';
import { ClientRequest, type IncomingMessage } from 'node:http';
import type { Clock } from '../../core/clock.js';
import type { Permit } from '../../core/permit.js';
import { TransportCall } from '../transport-call.js';
import type { OriginTarget } from '../targets/origin-cache.js';

type Destroy = ClientRequest['destroy'];

/** Set on a request once decided (the observer when admitted), so a delegating agent decides once. */
export const kDecided = Symbol('otel-circuit-breaker.decided');

interface ObservedRequest extends ClientRequest {
  [kDecided]?: true | RequestObserver;
}

/**
 * Watches one admitted `ClientRequest` until its response headers or its error, without changing
 * what the caller sees: errors are watched through `errorMonitor`, and a response nobody else
 * listens to is dumped (as Node would), so the socket returns to the pool. No 'upgrade'/'connect'
 * listener is added: their presence decides what Node does with the socket.
 *
 * One object per request: the listeners are shared functions that find it on the request
 * (EventEmitter calls a listener with the emitter as `this`). Only the 'response' listener removes
 * itself (it must not be counted, see watchResponse); the others stay, inert once the call settled:
 * `_events` is a dictionary, and each removal is a delete from it (a rehash when it shrinks) that
 * every request would pay. None goes through `once`, which would allocate a wrapper per listener.
 */
export class RequestObserver extends TransportCall {
  /** `req.destroy()` without a reason (also what `req.abort()` does): the caller gave up. */
  destroyedByCaller = false;

  private constructor(
    entry: OriginTarget,
    permit: Permit,
    clock: Clock,
    readonly destroy: Destroy,
  ) {
    super(entry, permit, clock);
  }

  static observe(
    req: ClientRequest,
    entry: OriginTarget,
    permit: Permit,
    clock: Clock,
  ): RequestObserver {
    const observed = req as ObservedRequest;
    const observer = new RequestObserver(entry, permit, clock, observed.destroy);
    observed[kDecided] = observer;
    // Node then reports 'socket hang up', which would otherwise read as the host's fault.
    observed.destroy = watchingDestroy;
    // The 'response' listener goes in once the code that made the request has run (see watchResponse).
    process.nextTick(watchResponse, observed);
    // An `errorMonitor` listener sees every error without handling it: Node still throws an error
    // nobody listens to, with its own uncaught-error report, and listenerCount('error') is unchanged.
    observed.on(errorMonitor, onError);
    observed.on('close', onClose);
    return observer;
  }
}

function observerOf(req: ObservedRequest): RequestObserver | undefined {
  const observer = req[kDecided];
  return observer === true ? undefined : observer;
}

const prototypeDestroy: Destroy = ClientRequest.prototype.destroy;

function watchingDestroy(this: ObservedRequest, error?: Error): ClientRequest {
  const observer = observerOf(this);
  if (observer === undefined) return prototypeDestroy.call(this, error);
  if (error == null) observer.destroyedByCaller = true;
  return observer.destroy.call(this, error);
}

/**
 * Puts the 'response' listener in front of every other one, removed before the others run: a
 * listener that counts 'response' listeners to learn whether anyone reads the body (OTel's http
 * instrumentation resumes it when it is alone) never counts ours. Those who listen from the start
 * (the caller's callback, instrumentations wrapping http.request) are in place by now: this runs on
 * the tick after the request was made, queued before the one on which Node hands the request its
 * socket, so before any response. Not from a 'socket' listener: that would be one more key in the
 * request's listener dictionary and one more listener call, per request.
 */
function watchResponse(req: ObservedRequest): void {
  req.prependListener('response', onResponse);
}

function onResponse(this: ObservedRequest, res: IncomingMessage): void {
  this.removeListener('response', onResponse);
  // `rawHeaders`, not `headers`: Node builds the `headers` object on its first read, which only a
  // failing 429/503 needs (for Retry-After); a caller that never reads it would pay for it.
  observerOf(this)?.response(res.statusCode ?? 0, res.rawHeaders);
  // Node dumps a response nobody listens to only when emit('response') found no listener; ours
  // was one, so the same `_dump()` (which also marks it dumped) is done here.
  if (this.listenerCount('response') === 0) dump(res);
}

function onError(this: ObservedRequest, error: unknown): void {
  const observer = observerOf(this);
  observer?.error(error, observer.destroyedByCaller);
}

function onClose(this: ObservedRequest): void {
  const observer = observerOf(this);
  if (observer === undefined) return;
  if (this.upgradeOrConnect) observer.response(this.res?.statusCode ?? 101, undefined);
  else observer.ignore();
}

function dump(res: IncomingMessage): void {
  const internal = res as IncomingMessage & { _dump?: () => void };
  if (typeof internal._dump === 'function') internal._dump();
  else res.resume();
}

// 'http', not 'node:http': the latter re-exports the former, and a library augmenting 'http' (got
// does) would otherwise meet a second, unrelated ClientRequest interface.
declare module 'http' {
  interface ClientRequest {
    /** Set by Node once an 'upgrade' or 'connect' response handed the socket to the caller. */
    upgradeOrConnect?: boolean;
    res?: IncomingMessage | null;
  }
}

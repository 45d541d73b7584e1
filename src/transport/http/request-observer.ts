import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Clock } from '../../core/clock.js';
import type { Permit } from '../../core/permit.js';
import { settleCallError, settleCallResponse, type CallState } from '../transport-call.js';
import type { OriginTarget } from '../targets/origin-cache.js';
import { notInlined } from '../not-inlined.js';

type Destroy = ClientRequest['destroy'];
type Emit = (this: ClientRequest, event: string | symbol, ...args: unknown[]) => boolean;

/** Set on a request once decided (the observer when admitted), so a delegating agent decides once. */
const kDecided = Symbol('otel-circuit-breaker.decided');
export { kDecided };

interface ObservedRequest extends ClientRequest {
  [kDecided]?: true | RequestObserver;
}

/**
 * One admitted `ClientRequest`, watched until its response headers or its error without changing
 * what the caller sees. The request gets its own `emit`, which looks at 'response', 'error' and
 * 'close' before handing every event, with the same arguments, to the `emit` it had, and returns
 * what that returns. No listener is added, so every `listenerCount()` and `listeners()` is what it
 * would be without us: code that counts 'response' listeners to learn whether anyone reads the body
 * (OTel's http instrumentation resumes it when it is alone) counts only its own; Node dumps a
 * response nobody listens to because `emit('response')` says so; an 'error' nobody listens to is
 * still thrown by Node's `emit`, with its uncaught-error report (whose list of the frames that
 * emitted it starts with ours); and the presence of an 'upgrade'/'connect' listener, which decides
 * what Node does with the socket, is the caller's.
 *
 * One object per request, and nothing else: `emit` and `destroy` are shared functions that find it
 * on the request. Listeners cost more: a key in the request's listener dictionary per event, a
 * delete (with a rehash) for a 'response' listener that must remove itself before the caller's run,
 * and a tick to put it in front of them.
 */
export interface RequestObserver extends CallState {
  /** `req.destroy()` without a reason (also what `req.abort()` does): the caller gave up. */
  destroyedByCaller: boolean;
  readonly req: ClientRequest;
  /** `watchEvent`, where V8 does not inline it (a method: the shortest call there is). */
  readonly watch: typeof watchEvent;
  /** What the request had before we watched it. */
  readonly destroy: Destroy;
  readonly emit: Emit;
}

/**
 * Starts watching `req`. The observer is an object literal, which the engine allocates in line
 * where a class instance took a call to its constructor: the hook's inlining budget is spent before
 * the constructor's turn.
 */
export function observeRequest(
  req: ClientRequest,
  entry: OriginTarget,
  permit: Permit,
  clock: Clock,
): void {
  const observed = req as ObservedRequest;
  const observer: RequestObserver = {
    req,
    watch,
    entry,
    permit,
    clock,
    startedAt: clock.now(),
    settled: false,
    destroyedByCaller: false,
    destroy: observed.destroy,
    emit: observed.emit,
  };
  observed[kDecided] = observer;
  // Node then reports 'socket hang up', which would otherwise read as the host's fault.
  observed.destroy = watchingDestroy;
  observed.emit = watchingEmit;
}

function observerOf(req: ObservedRequest): RequestObserver | undefined {
  const observer = req[kDecided];
  return observer === true ? undefined : observer;
}

function watchingDestroy(this: ObservedRequest, error?: Error): ClientRequest {
  const observer = observerOf(this);
  if (observer === undefined) {
    const prototypeDestroy: Destroy =
      process.getBuiltinModule('node:http').ClientRequest.prototype.destroy;
    return prototypeDestroy.call(this, error);
  }
  if (error == null) observer.destroyedByCaller = true;
  return observer.destroy.call(this, error);
}

/**
 * Sees an event before any listener, as the first listener would: the outcome is settled before
 * the caller's code runs (a caller reading the breaker's state from its 'response' callback sees
 * this call counted). Every other event, and every event once settled, only passes through.
 *
 * V8 inlines it, and Node's `emit` through it, into Node's functions that emit, as it inlines
 * `emit` there without us, where the event is a constant and the checks fold away. That takes it
 * staying small: the event goes on with `arguments`, which V8 forwards without inlining `emit` into
 * this function's own code (a function whose own optimized code inlined more than V8's limit is
 * never inlined into its callers), and the settling is behind `notInlined`. Inlined with it, it
 * spent the inlining budget of Node's response parser, which then called `addListener` and built
 * each response through generic paths (~400 CPU instructions a request). The symbol is a parameter
 * of the function that makes it, read without the check a module constant gets, and the settling
 * is a method of the observer, the call with the fewest operands: at a few bytes of bytecode more,
 * V8 did not inline it there.
 */
function watchingEmitOf(key: typeof kDecided): Emit {
  return function watchingEmit(this: ObservedRequest, event: string | symbol, arg?: unknown) {
    // Only an admitted request gets this emit, so its observer is there.
    const observer = this[key] as RequestObserver;
    if (!observer.settled && (event === 'response' || event === 'error' || event === 'close')) {
      observer.watch(event, arg);
    }
    // The observer is read again, which checks the request's shape after the call above: Node's
    // `emit`, inlined after it, then reads the listeners knowing that shape, where it otherwise
    // took the lookup that works for any object (its own feedback has seen every emitter).
    // eslint-disable-next-line prefer-rest-params
    return (this[key] as RequestObserver).emit.apply(this, arguments as never);
  };
}

/** Settles the call with one of its request's events: 'response', 'error' or 'close'. */
function watchEvent(
  this: RequestObserver,
  event: 'response' | 'error' | 'close',
  arg: unknown,
): void {
  const req = this.req;
  if (event === 'response') {
    // `rawHeaders`, not `headers`: Node builds the `headers` object on its first read, which only
    // a failing 429/503 needs (for Retry-After); a caller that never reads it would pay for it.
    const res = arg as IncomingMessage;
    settleCallResponse(this, res.statusCode ?? 0, res.rawHeaders);
  } else if (event === 'error') {
    settleCallError(this, arg, this.destroyedByCaller);
  } else if (req.upgradeOrConnect) {
    settleCallResponse(this, req.res?.statusCode ?? 101, undefined);
  } else {
    // Closed without an answer worth counting: abandoned.
    this.settled = true;
    this.permit.recordIgnored();
  }
}

const watchingEmit = watchingEmitOf(kDecided);
const watch = notInlined(watchEvent);

// 'http', not 'node:http': the latter re-exports the former, and a library augmenting 'http' (got
// does) would otherwise meet a second, unrelated ClientRequest interface.
declare module 'http' {
  interface ClientRequest {
    /** Set by Node once an 'upgrade' or 'connect' response handed the socket to the caller. */
    upgradeOrConnect?: boolean;
    res?: IncomingMessage | null;
    /** The `socketPath` option, which Node copies onto the request. */
    socketPath?: string;
  }
}

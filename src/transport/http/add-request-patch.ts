import type { Agent, ClientRequest } from 'node:http';
import { isPending } from '../pending-permit.js';
import type { OriginTarget } from '../targets/origin-cache.js';
import type { HttpAgentTargets, AgentRequestOptions } from '../targets/http-agent-targets.js';
import { recordTransportRejection } from '../rejection-span.js';
import { activeClientSpan, markRejected } from './http-span.js';
import { annotateSpan } from '../../telemetry/breaker-spans.js';
import type { CircuitBreaker } from '../../core/breaker.js';
import type { Permit } from '../../core/permit.js';
import { onLaterTurn } from '../../core/later-turn.js';
import { kDecided, observeRequest } from './request-observer.js';

type AddRequest = (this: Agent, req: ClientRequest, options: AgentRequestOptions) => void;

/**
 * The replacement for `http.Agent.prototype.addRequest` (https.Agent inherits it). The
 * ClientRequest constructor calls it before any socket exists, whichever way the request was made:
 * `http.request`/`get` and `https.*`, CommonJS or ESM named imports, `agent: false` (Node creates a
 * fresh Agent of the default class), custom Agent subclasses, axios and friends.
 *
 * Installed behind `notInlined` (not-inlined.ts): its caller is ClientRequest's constructor, where
 * our small function, inlined, used up V8's inlining budget, and Node's `setHeader`, inlined without
 * us, then ran unoptimized, which cost more per request (~500 CPU instructions) than the hook's own
 * pass-through work; the call costs ~90.
 */
export function createAddRequest(
  original: AddRequest,
  origins: () => HttpAgentTargets | undefined,
): AddRequest {
  return function addRequest(this: Agent, req, options) {
    const lookup = origins();
    if (lookup === undefined || options == null) return original.call(this, req, options);
    // `options` is a dictionary-mode object (Node builds it with a null prototype), where every
    // property read is a hash lookup: the protocol and host it holds are read from the request,
    // which ClientRequest gave the same values, and its port only for a host some pattern names.
    const entry = lookup.find(
      req.protocol ?? options.protocol ?? (this as { protocol?: string }).protocol ?? 'http:',
      req.host ?? options.host,
      options,
    );
    // `socketPath` from the request, which ClientRequest copied from the options: a property
    // the options lack is a miss in their dictionary that the engine cannot remember.
    if (
      entry === null ||
      req.socketPath !== undefined ||
      (req as { [kDecided]?: unknown })[kDecided] !== undefined
    ) {
      return original.call(this, req, options);
    }
    return admit(this, original, req, options, entry);
  };
}

function admit(
  agent: Agent,
  original: AddRequest,
  req: ClientRequest,
  options: AgentRequestOptions,
  entry: OriginTarget,
): void {
  const breaker = entry.target.breaker;
  const acquired = breaker.tryAcquire();
  // An admitted request is marked by its observer (one store on the request); the others by `true`.
  if (acquired !== null && !isPending(acquired)) {
    return proceed(agent, original, req, options, entry, breaker, acquired);
  }
  (req as { [kDecided]?: unknown })[kDecided] = true;
  if (acquired === null) return refuse(req, options, entry);
  // A half-open probe waits for the fleet's permit: the socket is asked for once it arrived.
  acquired.then(
    (permit) =>
      permit === null
        ? refuse(req, options, entry)
        : proceed(agent, original, req, options, entry, breaker, permit),
    () => original.call(agent, req, options),
  );
}

function proceed(
  agent: Agent,
  original: AddRequest,
  req: ClientRequest,
  options: AgentRequestOptions,
  entry: OriginTarget,
  breaker: CircuitBreaker,
  permit: Permit,
): void {
  const span = activeClientSpan();
  if (span !== undefined) annotateSpan(span, breaker.name, breaker.currentState);
  observeRequest(req, entry, permit, breaker.clock);
  original.call(agent, req, options);
}

/**
 * Fails the request the way an agent reports a socket it could not create: `onSocket(null, err)`
 * emits 'error' then 'close', and no socket is ever made. Called right away it would emit them on
 * the next tick, which a retry loop with no delay never leaves; a later event-loop turn is what a
 * refused connection costs without us, so timers, I/O and signals still run between the retries.
 */
function refuse(req: ClientRequest, options: AgentRequestOptions, entry: OriginTarget): void {
  const error = entry.target.breaker.rejectionError();
  const span = activeClientSpan();
  if (span !== undefined) markRejected(span, error);
  else recordTransportRejection(error, options.method ?? req.method, entry);
  process.nextTick(refuseAfterCaller, req as unknown as PendingRequest, error);
}

/** `ClientRequest` as an agent sees it: `onSocket` hands over a socket, or the error of not making one. */
interface PendingRequest {
  readonly destroyed: boolean;
  readonly aborted: boolean;
  _closed: boolean;
  onSocket(socket: null, error?: Error): void;
  emit(event: 'close'): boolean;
}

/**
 * Runs where Node would hand over the socket (the tick after the request was made). A caller that
 * gave up in the meantime (`abort()`, `destroy()`, an aborted signal) sees what Node shows when it
 * gives up before its socket: its own error or 'socket hang up', or after `abort()` only 'close'
 * (emitted here, as Node does at this point, so it still comes before 'abort'). Otherwise the
 * rejection follows on a later turn.
 */
function refuseAfterCaller(req: PendingRequest, error: Error): void {
  if (!req.destroyed) return onLaterTurn(deliverRejection, { req, error });
  if (!req.aborted) return req.onSocket(null);
  req._closed = true;
  req.emit('close');
}

function deliverRejection({ req, error }: { req: PendingRequest; error: Error }): void {
  req.onSocket(null, req.destroyed ? undefined : error);
}

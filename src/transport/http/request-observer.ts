import { errorMonitor } from 'node:events';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { CallRecorder } from '../call-recorder.js';

type Destroy = ClientRequest['destroy'];

/**
 * Watches one admitted `ClientRequest` until its response headers or its error, without changing
 * what the caller sees: errors are watched through `errorMonitor`, and a response nobody else
 * listens to is dumped (as Node would), so the socket returns to the pool. No 'upgrade'/'connect'
 * listener is added: their presence decides what Node does with the socket.
 */
export function observeRequest(req: ClientRequest, call: CallRecorder): void {
  let destroyedByCaller = false;
  const destroy: Destroy = req.destroy;
  // `req.destroy()` without a reason (also what `req.abort()` does) is the caller giving up; Node
  // then reports 'socket hang up', which would otherwise read as the host's fault.
  req.destroy = function (this: ClientRequest, error?: Error) {
    if (error == null) destroyedByCaller = true;
    return destroy.call(this, error);
  } as Destroy;

  // Added once the socket is assigned, in front of every other listener, and removed before the
  // others run: a listener that counts 'response' listeners to learn whether anyone reads the body
  // (OTel's http instrumentation resumes it when it is alone) never counts ours. Those who listen
  // from the start (the caller's callback, instrumentations wrapping http.request) are in place.
  req.once('socket', () => {
    req.prependOnceListener('response', (res: IncomingMessage) => {
      call.response(res.statusCode ?? 0, res.headers);
      // Node dumps a response nobody listens to only when emit('response') found no listener;
      // ours was one, so the same `_dump()` (which also marks it dumped) is done here.
      if (req.listenerCount('response') === 0) dump(res);
    });
  });
  // An `errorMonitor` listener sees every error without handling it: Node still throws an error
  // nobody listens to, with its own uncaught-error report, and listenerCount('error') is unchanged.
  req.on(errorMonitor, (error: unknown) => call.error(error, destroyedByCaller));
  req.once('close', () => {
    if (req.upgradeOrConnect) call.response(req.res?.statusCode ?? 101, undefined);
    else call.ignore();
  });
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

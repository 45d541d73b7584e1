import type { ClientRequest, IncomingMessage } from 'node:http';
import type { CallRecorder } from '../call-recorder.js';

type Destroy = ClientRequest['destroy'];

/**
 * Watches one admitted `ClientRequest` until its response headers or its error, without changing
 * what the caller sees: an 'error' nobody else listens to is re-thrown (as Node would), and a
 * response nobody else listens to is drained (as Node would), so the socket returns to the pool.
 * No 'upgrade'/'connect' listener is added: their presence decides what Node does with the socket.
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

  // Prepended, so the caller's own listeners are still registered when we count them.
  req.prependOnceListener('response', (res: IncomingMessage) => {
    call.response(res.statusCode ?? 0, res.headers);
    if (req.listenerCount('response') === 0) res.resume();
  });
  const onError = (error: unknown): void => {
    call.error(error, destroyedByCaller);
    if (req.listenerCount('error') === 1) {
      req.removeListener('error', onError);
      throw error;
    }
  };
  req.prependListener('error', onError);
  req.once('close', () => {
    if (req.upgradeOrConnect) call.response(req.res?.statusCode ?? 101, undefined);
    else call.ignore();
  });
}

declare module 'node:http' {
  interface ClientRequest {
    /** Set by Node once an 'upgrade' or 'connect' response handed the socket to the caller. */
    upgradeOrConnect?: boolean;
    res?: IncomingMessage | null;
  }
}

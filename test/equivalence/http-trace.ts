import { createHook } from 'node:async_hooks';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/**
 * When an event happened relative to the call that caused it: during the call (`sync`), before
 * the event loop turned (`tick`: process.nextTick and microtasks), or on a later turn (`later`).
 */
export type Phase = 'sync' | 'tick' | 'later';

/** Callbacks that run while the microtask and nextTick queues drain; anything else is a new turn. */
const QUEUE_TYPES = new Set(['TickObject', 'PROMISE', 'Microtask']);
const resourceTypes = new Map<number, string>();
/** Runs never overlap, so one phase serves every trace. */
let phase: Phase = 'later';

// A timer or immediate set at the end of the call would not mark the next turn: I/O callbacks of
// the poll phase may run before it. The first callback that is not a tick or microtask does. The
// hook stays on for the whole file: a resource it never saw created (a promise from before) is
// not taken for a new turn.
createHook({
  init: (asyncId, type) => void resourceTypes.set(asyncId, type),
  before: (asyncId) => {
    if (phase !== 'tick') return;
    const type = resourceTypes.get(asyncId);
    if (type !== undefined && !QUEUE_TYPES.has(type)) phase = 'later';
  },
  destroy: (asyncId) => void resourceTypes.delete(asyncId),
  promiseResolve: (asyncId) => void resourceTypes.delete(asyncId),
}).enable();

/** What one run of a case observed, in order. Two runs are equal when these are deep-equal. */
export class Trace {
  readonly events: string[] = [];
  private readonly sockets = new WeakMap<Socket, number>();
  private socketCount = 0;

  /** Runs `call` and tracks the phase of what follows until the next event-loop turn. */
  call<T>(call: () => T): T {
    phase = 'sync';
    try {
      return call();
    } finally {
      phase = 'tick';
    }
  }

  add(event: string): void {
    this.events.push(`${event} @${phase}`);
  }

  /** Sockets are named by the order they first appear in, so reuse is visible and comparable. */
  socketName(socket: Socket): string {
    let n = this.sockets.get(socket);
    if (n === undefined) {
      n = ++this.socketCount;
      this.sockets.set(socket, n);
    }
    return `#${n}`;
  }
}

/** Type, code, message and cause of an error: what a caller can branch on. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return `non-error ${String(error)}`;
  const e = error as Error & { code?: unknown; cause?: unknown };
  const cause = e.cause === undefined ? '' : ` cause=(${describeError(e.cause)})`;
  return `${e.constructor.name}[${e.name}] code=${String(e.code)} "${e.message}"${cause}`;
}

// Deliberately not 'response', 'upgrade' or 'connect': whether someone listens to those changes
// what Node does, so each case adds them itself when it means to.
const REQUEST_EVENTS = ['information', 'continue', 'timeout', 'finish', 'abort', 'close'] as const;

/** Records a request's events; the case must still handle 'response' (or leave it to Node). */
export function watchRequest(req: ClientRequest, trace: Trace, label = 'req'): void {
  req.on('socket', (socket: Socket) => {
    trace.add(`${label} socket ${trace.socketName(socket)} reused=${String(req.reusedSocket)}`);
  });
  for (const name of REQUEST_EVENTS) {
    req.on(name, (info?: { statusCode?: number }) => {
      const status = name === 'information' ? ` ${String(info?.statusCode)}` : '';
      trace.add(`${label} ${name}${status} destroyed=${String(req.destroyed)}`);
    });
  }
  req.on('error', (error) => trace.add(`${label} error ${describeError(error)}`));
}

/** Records a response's head and events and reads its body; resolves at 'close'. */
export function watchResponse(res: IncomingMessage, trace: Trace, label = 'res'): Promise<void> {
  const headers = { ...res.headers };
  delete headers.date;
  trace.add(`${label} ${String(res.statusCode)} ${res.statusMessage} ${JSON.stringify(headers)}`);
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => (body += chunk));
  res.on('end', () => trace.add(`${label} end ${JSON.stringify(body)} complete=${res.complete}`));
  res.on('aborted', () => trace.add(`${label} aborted`));
  res.on('error', (error) => trace.add(`${label} error ${describeError(error)}`));
  return new Promise((resolve) =>
    res.on('close', () => {
      trace.add(`${label} close complete=${res.complete} body=${JSON.stringify(body)}`);
      resolve();
    }),
  );
}

/** Resolves once `req` emitted 'close', then lets pending callbacks of the same turn run. */
export function closed(req: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => void setTimeout(resolve, 5);
    if (req.closed) done();
    else req.once('close', done);
  });
}

// Rejections are delivered on a later event-loop turn (a macrotask), never only through
// microtasks. An app that retries in a loop without any delay yields to the event loop on every
// network error; if an open circuit rejected through microtasks alone, the same loop would starve
// timers, I/O and signal handlers, and the admin reset or fleet message that would close the
// circuit could never arrive. setImmediate runs after pending I/O, so the loop keeps breathing;
// its cost (about a microsecond) is paid on the rejection path only.

/** Calls `fn(arg)` on a later event-loop turn. */
export function onLaterTurn<T>(fn: (arg: T) => void, arg: T): void {
  setImmediate(fn, arg);
}

/** A promise that rejects with `error` on a later event-loop turn. */
export function rejectOnLaterTurn<T = never>(error: unknown): Promise<T> {
  return new Promise<T>((_resolve, reject) => {
    setImmediate(reject, error);
  });
}

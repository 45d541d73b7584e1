import { once } from 'node:events';

/**
 * The next message of a forked bench process, as `once(child, 'message')` gives it (an array of
 * the event's arguments); an error naming `what` when the process exits first, so a child that
 * crashes (an unsupported Node, a broken build) ends the bench instead of leaving it waiting.
 */
export async function nextMessage(child, what) {
  const stop = new AbortController();
  try {
    return await Promise.race([
      once(child, 'message', { signal: stop.signal }),
      once(child, 'exit', { signal: stop.signal }).then(([code, signal]) => {
        throw new Error(`${what} exited (${signal ?? `code ${code}`}) before it answered`);
      }),
    ]);
  } finally {
    stop.abort();
  }
}

import type { StoreLogEvent } from './state-store.js';

/** Hands `event` to the store's log callback, if any. Logging never breaks the store. */
export function logStoreEvent(
  log: ((event: StoreLogEvent) => void) | undefined,
  event: StoreLogEvent,
): void {
  try {
    log?.(event);
  } catch {
    // A broken log callback is the caller's; the store carries on.
  }
}

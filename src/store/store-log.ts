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

/** The event of a store becoming unavailable (its connection lost, its calls failing, its thread gone). */
export function storeUnavailableEvent(
  store: StoreLogEvent['store'],
  reason: string,
): StoreLogEvent {
  return {
    event: 'store.unavailable',
    store,
    message: 'shared state store unavailable; breakers carry on with local state',
    error: reason,
  };
}

import type { SharedStateSync } from './shared-state-sync.js';

/** What the exit flush needs of a store: its first connection, and a hold on the process meanwhile. */
export interface ExitFlushStore {
  /** Resolves once the store connected (or gave up within its own bound). */
  whenReady(): Promise<void>;
  /** While true, the store's connection keeps the process alive. */
  holdProcess(hold: boolean): void;
}

/**
 * Sends what the fleet has not heard yet when the app ends cleanly: a trip in a process's first
 * milliseconds, before Redis answered, or the last counts. On `beforeExit` (the app has nothing
 * left to do) and on SIGTERM, once, and never for longer than `timeoutMs`. The app's own exit is
 * unchanged: with no SIGTERM listener of its own it still dies of SIGTERM, just after the flush.
 * Returns the function that removes the hooks.
 */
export function flushOnExit(
  sync: SharedStateSync,
  store: ExitFlushStore,
  timeoutMs: number,
): () => void {
  let tried = false;
  const drain = async (): Promise<void> => {
    if (tried || !sync.hasUnsentWork()) return;
    tried = true;
    store.holdProcess(true);
    let timer: ReturnType<typeof setTimeout> | undefined;
    // A referenced timer: it both bounds the flush and keeps the process alive until it is done.
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    try {
      await Promise.race([
        store
          .whenReady()
          .then(() => sync.drain())
          .catch(() => {}),
        deadline,
      ]);
    } finally {
      clearTimeout(timer);
      store.holdProcess(false);
    }
  };

  const onBeforeExit = (): void => void drain();
  const onSigterm = (): void => {
    // Counted now: whether the app handles SIGTERM itself decides what happens after the flush.
    const appHandlesIt = process.listenerCount('SIGTERM') > 1;
    void drain().finally(() => {
      if (appHandlesIt) return;
      process.removeListener('SIGTERM', onSigterm);
      process.kill(process.pid, 'SIGTERM');
    });
  };
  process.on('beforeExit', onBeforeExit);
  process.on('SIGTERM', onSigterm);
  return () => {
    process.removeListener('beforeExit', onBeforeExit);
    process.removeListener('SIGTERM', onSigterm);
  };
}

/**
 * The argument the Redis store's worker thread is started with. A preload running there (an app
 * preloading us through NODE_OPTIONS has it run in every worker thread) sees it right after the
 * executable: as `process.argv[1]` from `--require`, after the worker's file name from `--import`.
 */
export const STORE_THREAD_ARG = '--otel-circuit-breaker-store-thread';

/**
 * True in the Redis store's own worker thread, where a preload must start nothing (above all not
 * another store, with a worker of its own). Reads argv only: `register` loads no worker_threads.
 */
export function isStoreWorker(): boolean {
  return process.argv[1] === STORE_THREAD_ARG || process.argv[2] === STORE_THREAD_ARG;
}

/** `code` of StoreTimeoutError. */
export const STORE_TIMEOUT_CODE = 'ESTORETIMEOUT';

/** Raised when a store call did not settle within `storeTimeoutMs`. */
export class StoreTimeoutError extends Error {
  readonly code: typeof STORE_TIMEOUT_CODE = STORE_TIMEOUT_CODE;
  constructor(ms: number) {
    super(`store call timed out after ${ms} ms`);
    this.name = 'StoreTimeoutError';
  }
}

/**
 * Races `promise` against a timer. The loser is ignored, and a late rejection of `promise` is
 * swallowed here: with resend off, ioredis can leave a dropped command pending forever or reject
 * it much later, and neither may become an unhandled rejection in the app.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new StoreTimeoutError(ms)), ms);
    timer.unref?.();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

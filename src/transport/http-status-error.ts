/** Code of the failure a transport records for a response whose status counts as a failure. */
export const HTTP_STATUS_FAILURE_CODE = 'EHTTPSTATUS';

/**
 * What the breaker remembers as "last error" when a host answered with a failing status. The
 * response itself still goes to the caller untouched; this value never reaches application code.
 */
export class HttpStatusError extends Error {
  readonly code = HTTP_STATUS_FAILURE_CODE;
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

Object.defineProperty(HttpStatusError.prototype, 'name', {
  value: 'HttpStatusError',
  configurable: true,
  writable: true,
});

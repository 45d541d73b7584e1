import type { CircuitOpenError } from '../core/errors.js';
import { CIRCUIT_OPEN_ERROR_TYPE, HEADER_CIRCUIT_BREAKER } from '../semconv.js';

/** A response the transports answer with instead of an error when a rule says `rejectWith: 'response'`. */
export interface SyntheticResponse {
  readonly status: number;
  readonly statusText: string;
  /** Lower-case names, in wire order. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
}

/**
 * The 503 a caller gets while a `rejectWith: 'response'` circuit is open. SDKs such as openai and
 * Anthropic read `x-should-retry: false` and give up at once instead of retrying a connection error
 * for seconds; `retry-after`/`retry-after-ms` tell anyone else when a probe may pass.
 */
export function circuitOpenResponse(error: CircuitOpenError): SyntheticResponse {
  const retryAfterMs = Math.max(0, Math.ceil(error.retryAfterMs));
  const body = Buffer.from(
    JSON.stringify({
      error: {
        type: CIRCUIT_OPEN_ERROR_TYPE,
        message: error.message,
        circuit_breaker: error.breakerName,
        retry_after_ms: retryAfterMs,
      },
    }),
  );
  return {
    status: 503,
    statusText: 'Service Unavailable',
    headers: [
      ['content-type', 'application/json'],
      ['content-length', String(body.length)],
      ['retry-after', String(Math.ceil(retryAfterMs / 1000))],
      ['retry-after-ms', String(retryAfterMs)],
      ['x-should-retry', 'false'],
      [HEADER_CIRCUIT_BREAKER, `${error.breakerName}; state=${error.state}`],
    ],
    body,
  };
}

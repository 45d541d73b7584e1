import type { BreakerStateName } from './state-names.js';

export const CIRCUIT_OPEN_CODE = 'ECIRCUITOPEN';

export interface CircuitOpenErrorInfo {
  /** Breaker name: a configured host pattern, `agent:<name>`, or a library user's own name. */
  readonly name: string;
  readonly state: BreakerStateName;
  /** Milliseconds until the breaker lets a probe through; 0 when it is half-open with no free permit. */
  readonly retryAfterMs: number;
}

/** Thrown (or passed as `cause`) when a breaker rejects a call without running it. */
export class CircuitOpenError extends Error {
  readonly code: typeof CIRCUIT_OPEN_CODE;
  // `name` (on the prototype) stays the class name so stack headers read like any other Error;
  // the breaker's name is `breakerName`, and `host` (the same string, named for HTTP callers).
  declare readonly name: 'CircuitOpenError';
  readonly breakerName: string;
  readonly host: string;
  readonly state: BreakerStateName;
  readonly retryAfterMs: number;

  constructor(info: CircuitOpenErrorInfo) {
    super(messageFor(info));
    this.code = CIRCUIT_OPEN_CODE;
    this.breakerName = info.name;
    this.host = info.name;
    this.state = info.state;
    this.retryAfterMs = info.retryAfterMs;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      breakerName: this.breakerName,
      state: this.state,
      retryAfterMs: this.retryAfterMs,
    };
  }
}

function messageFor(info: CircuitOpenErrorInfo): string {
  const wait =
    info.state === 'forced_open'
      ? 'opened by hand'
      : info.retryAfterMs > 0
        ? `retry in ${Math.ceil(info.retryAfterMs / 1000)}s`
        : 'no probe permit free';
  return `circuit breaker "${info.name}" is ${info.state}; call rejected without being sent (${wait})`;
}

/**
 * Builds a CircuitOpenError for a rejection without running the Error constructor. Rejections are
 * the hot path of an open circuit, and constructing an Error costs microseconds on our reference
 * machines even with stack capture off (a stack would only point into our own code anyway). The
 * result is `instanceof CircuitOpenError` and `instanceof Error`, with the same own properties and a
 * one-line `stack`; only `Error.isError()` tells it apart.
 */
export function createCircuitOpenError(info: CircuitOpenErrorInfo): CircuitOpenError {
  const error = Object.create(CircuitOpenError.prototype) as {
    -readonly [K in keyof CircuitOpenError]: CircuitOpenError[K];
  };
  const message = messageFor(info);
  error.message = message;
  error.stack = `CircuitOpenError: ${message}`;
  error.code = CIRCUIT_OPEN_CODE;
  error.breakerName = info.name;
  error.host = info.name;
  error.state = info.state;
  error.retryAfterMs = info.retryAfterMs;
  return error as CircuitOpenError;
}

export function isCircuitOpenError(err: unknown): err is CircuitOpenError {
  return (
    err instanceof CircuitOpenError ||
    (typeof err === 'object' &&
      err !== null &&
      (err as { code?: unknown }).code === CIRCUIT_OPEN_CODE)
  );
}

Object.defineProperty(CircuitOpenError.prototype, 'name', {
  value: 'CircuitOpenError',
  configurable: true,
  writable: true,
});

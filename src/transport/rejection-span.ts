import type { CircuitOpenError } from '../core/errors.js';
import { apiGlobalsRegistered } from '../telemetry/api-globals.js';
import { breakerTracer, recordRejectedSpan } from '../telemetry/breaker-spans.js';
import type { OriginTarget } from './targets/origin-cache.js';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from '../semconv.js';

const KNOWN_METHODS = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'TRACE',
]);

/** The span name OTel's HTTP instrumentations give a request: the method, or `HTTP` for others. */
export function httpSpanName(method: string | undefined): string {
  const upper = (method ?? 'GET').toUpperCase();
  return KNOWN_METHODS.has(upper) ? upper : 'HTTP';
}

/**
 * Records a call the breaker rejected as a CLIENT span shaped like the HTTP span it replaces.
 * Only method, host and port go on it: never the path or query. With nothing registered with the
 * API there is no tracer provider to record it.
 */
export function recordTransportRejection(
  error: CircuitOpenError,
  method: string | undefined,
  entry: OriginTarget,
): void {
  if (!apiGlobalsRegistered()) return;
  const name = httpSpanName(method);
  recordRejectedSpan(breakerTracer(), name, error, {
    [ATTR_HTTP_REQUEST_METHOD]: name === 'HTTP' ? '_OTHER' : name,
    [ATTR_SERVER_ADDRESS]: entry.hostname,
    [ATTR_SERVER_PORT]: entry.port,
  });
}

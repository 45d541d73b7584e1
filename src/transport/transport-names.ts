/**
 * Names the transports put on the wire and on spans, defined once. (Candidates for src/semconv.ts;
 * they live here until the lead moves them.)
 */

/** Response header of a synthetic circuit-open 503: `<breaker name>; state=<state>`. */
export const HEADER_CIRCUIT_BREAKER = 'x-circuit-breaker';
/** `error.type` value and JSON `error.type` of a synthetic circuit-open response. */
export const CIRCUIT_OPEN_ERROR_TYPE = 'circuit_open';

// OTel HTTP semantic-convention attributes (stable), used on the spans of rejected calls.
export const ATTR_HTTP_REQUEST_METHOD = 'http.request.method';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';

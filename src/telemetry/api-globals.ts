/**
 * Where every copy of OpenTelemetry API 1.x keeps what is registered with it (providers, the diag
 * logger, the context manager): absent until the first registration. Until then the API's answers
 * are its defaults, so a start that only needs to know whether anything was registered need not
 * load the API.
 */
const API_GLOBALS = Symbol.for('opentelemetry.js.api.1');

/** Whether anything was registered with the OpenTelemetry API in this process (by any copy of it). */
export function apiGlobalsRegistered(): boolean {
  return (globalThis as Record<symbol, unknown>)[API_GLOBALS] !== undefined;
}

/**
 * Telemetry names this module needs that src/semconv.ts does not define yet. They belong there
 * (every public name lives in one file); they are kept here only until the lead moves them, after
 * which this file becomes re-exports or goes away. Do not retype these strings anywhere else.
 */

/** Log record attribute: consecutive failures when the transition happened. */
export const ATTR_CONSECUTIVE_FAILURES = 'circuit_breaker.consecutive_failures';
/** Log record attribute: failure ratio (0..1) over the sliding window when the transition happened. */
export const ATTR_FAILURE_RATE = 'circuit_breaker.failure_rate';
/** Log record attribute: slow-call ratio (0..1) over the sliding window. */
export const ATTR_SLOW_CALL_RATE = 'circuit_breaker.slow_call_rate';
/** Log record attribute: for transitions into open, milliseconds until a probe may go through. */
export const ATTR_RETRY_AFTER_MS = 'circuit_breaker.retry_after_ms';

/** OTel semantic convention `error.type` (class name of the last failure; low cardinality). */
export const ATTR_ERROR_TYPE = 'error.type';

/** Log record event name of a transition (the same name as the span event). */
export { EVENT_TRANSITION as LOG_EVENT_TRANSITION } from '../semconv.js';

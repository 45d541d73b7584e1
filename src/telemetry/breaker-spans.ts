// On first use: the OpenTelemetry API loads with the first span.
import {
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { CircuitOpenError } from '../core/errors.js';
import type { BreakerStateName } from '../core/state-names.js';
import type { Transition } from '../core/transition.js';
import {
  ATTR_FROM,
  ATTR_NAME,
  ATTR_REASON,
  ATTR_REJECTED,
  ATTR_STATE,
  ATTR_TO,
  EVENT_REJECTED,
  EVENT_TRANSITION,
  INSTRUMENTATION_SCOPE,
} from '../semconv.js';
import { PACKAGE_VERSION } from './package-version.js';
import { ATTR_ERROR_TYPE } from '../semconv.js';
import { apiGlobalsRegistered } from './api-globals.js';

/**
 * Breaker facts on spans (docs/telemetry.md, Spans): the breaker's name and state on the transport's
 * client span, a CLIENT span for a call the breaker rejected, and transition events.
 * They take names and states only, never a URL or header, so nothing secret can reach a span
 * through them. Each does nothing when there is no (recording) span.
 */

/** Our tracer, from the global provider (the API proxies it, so this is safe before the SDK starts). */
export function breakerTracer(): Tracer {
  return trace.getTracer(INSTRUMENTATION_SCOPE, PACKAGE_VERSION);
}

/** Sets `circuit_breaker.name` and `circuit_breaker.state` on `span` (e.g. the HTTP client span). */
export function annotateSpan(
  span: Span | undefined,
  breakerName: string,
  state: BreakerStateName,
): void {
  if (span === undefined || !span.isRecording()) return;
  span.setAttribute(ATTR_NAME, breakerName);
  span.setAttribute(ATTR_STATE, state);
}

/** annotateSpan on the active span. */
export function annotateActiveSpan(breakerName: string, state: BreakerStateName): void {
  annotateSpan(trace.getActiveSpan(), breakerName, state);
}

/**
 * Records a call the breaker rejected: no request was sent, so no HTTP span exists; this makes a
 * CLIENT span named as the HTTP span would have been (e.g. `GET`), status ERROR, attribute
 * `circuit_breaker.rejected = true`, a `circuit_breaker.rejected` event and the exception. Pass
 * the transport's usual low-cardinality attributes (`http.request.method`, `server.address`,
 * `server.port`) in `attributes`; never the URL's path or query. Returns the ended span.
 */
export function recordRejectedSpan(
  tracer: Tracer,
  spanName: string,
  error: CircuitOpenError,
  attributes: Attributes = {},
): Span {
  const span = tracer.startSpan(spanName, {
    kind: SpanKind.CLIENT,
    attributes: {
      ...attributes,
      [ATTR_NAME]: error.breakerName,
      [ATTR_STATE]: error.state,
      [ATTR_REJECTED]: true,
      [ATTR_ERROR_TYPE]: error.name,
    },
  });
  // Without an SDK (or when the sampler drops it) the span records nothing: skip building the
  // event, exception and status objects on what is the hot path of an open circuit.
  if (span.isRecording()) {
    span.addEvent(EVENT_REJECTED, { [ATTR_NAME]: error.breakerName, [ATTR_STATE]: error.state });
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  }
  span.end();
  return span;
}

/** Adds the event `circuit_breaker.transition` {name, from, to, reason} to `span`. */
export function addTransitionEvent(
  transition: Transition,
  span: Span | undefined = trace.getActiveSpan(),
): void {
  if (span === undefined || !span.isRecording()) return;
  span.addEvent(
    EVENT_TRANSITION,
    {
      [ATTR_NAME]: transition.name,
      [ATTR_FROM]: transition.from,
      [ATTR_TO]: transition.to,
      [ATTR_REASON]: transition.reason,
    },
    transition.at,
  );
}

/**
 * Puts every transition of `registry`'s breakers on the span active when it happens. Transitions
 * fire synchronously inside the call that caused them, so that is the caller's span. Returns a
 * function that stops it.
 */
export function startTransitionSpanEvents(registry: {
  onTransition(listener: (t: Transition) => void): () => void;
}): () => void {
  return registry.onTransition((transition) => {
    if (apiGlobalsRegistered()) addTransitionEvent(transition);
  });
}

// On first use: the OpenTelemetry API loads with the first span.
import { context, ROOT_CONTEXT, SpanKind, trace, type Span } from '@opentelemetry/api';
import type { CircuitOpenError } from '../../core/errors.js';
import { ATTR_NAME, ATTR_REJECTED, ATTR_STATE, EVENT_REJECTED } from '../../semconv.js';
import { apiGlobalsRegistered } from '../../telemetry/api-globals.js';

/**
 * The HTTP client span of the request being made, if OTel's http instrumentation made one: it
 * wraps `http.request` and makes its span active around the original call, which is where
 * `Agent#addRequest` runs. The kind check keeps us off the caller's own (server/internal) span
 * when no http instrumentation is loaded. `kind` is not in the API's Span interface but every SDK
 * span carries it. With nothing registered with the API there is no context manager, so no span.
 */
export function activeClientSpan(): Span | undefined {
  // Nothing registered with the OTel API: no context manager, so no active span (and the API need
  // not load). One read of that missing global costs less than half of the API's way to the answer.
  if (!apiGlobalsRegistered()) return undefined;
  const active = context.active();
  // The root context (no context manager, or none entered) holds no span: no lookup in it.
  if (active === ROOT_CONTEXT) return undefined;
  const span = trace.getSpan(active);
  if (span === undefined || !span.isRecording()) return undefined;
  return (span as { kind?: unknown }).kind === SpanKind.CLIENT ? span : undefined;
}

/**
 * Marks the http instrumentation's span of a call we rejected. That instrumentation records the
 * error event we emit (exception + status ERROR) and ends the span itself.
 */
export function markRejected(span: Span, error: CircuitOpenError): void {
  span.setAttribute(ATTR_NAME, error.breakerName);
  span.setAttribute(ATTR_STATE, error.state);
  span.setAttribute(ATTR_REJECTED, true);
  span.addEvent(EVENT_REJECTED, { [ATTR_NAME]: error.breakerName, [ATTR_STATE]: error.state });
}

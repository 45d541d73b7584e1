import { SpanKind, type Context } from '@opentelemetry/api';
import { ATTR_NAME, ATTR_STATE } from '../semconv.js';
import { spanTarget } from './targets/span-targets.js';

/** The parts of an SDK span this processor reads and writes (kept structural: no SDK import). */
export interface StartedSpan {
  readonly kind: SpanKind;
  readonly attributes: Readonly<Record<string, unknown>>;
  setAttribute(key: string, value: string): unknown;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { http: 80, https: 443 };

/**
 * Puts `circuit_breaker.name` and `circuit_breaker.state` on the HTTP client spans of calls to
 * configured hosts, at span start. OTel's undici instrumentation creates its span inside undici's
 * Request constructor (diagnostics channel `undici:request:create`) and never makes it active, so
 * a span processor is the one supported place to reach it. http spans are also annotated directly
 * by the http transport; both write the same values.
 *
 * Add it to your SDK: `new NodeSDK({ spanProcessors: [new CircuitBreakerSpanProcessor(), ...] })`.
 */
export class CircuitBreakerSpanProcessor {
  onStart(span: StartedSpan, _parentContext: Context): void {
    if (span.kind !== SpanKind.CLIENT) return;
    const a = span.attributes;
    if (a[ATTR_NAME] !== undefined) return;
    // Stable HTTP semconv first, then the older names instrumentation-http still emits by default.
    const host = a['server.address'] ?? a['net.peer.name'];
    if (typeof host !== 'string') return;
    const scheme = typeof a['url.scheme'] === 'string' ? a['url.scheme'] : schemeOfUrl(a);
    const rawPort = a['server.port'] ?? a['net.peer.port'];
    const port = rawPort === undefined ? DEFAULT_PORTS[scheme] : Number(rawPort);
    if (port === undefined || !Number.isFinite(port)) return;
    const entry = spanTarget(scheme, host, port);
    if (entry === null) return;
    const breaker = entry.target.breaker;
    span.setAttribute(ATTR_NAME, breaker.name);
    span.setAttribute(ATTR_STATE, breaker.currentState);
  }
  onEnd(): void {}
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function schemeOfUrl(attributes: Readonly<Record<string, unknown>>): string {
  const url = attributes['http.url'] ?? attributes['url.full'];
  return typeof url === 'string' && url.startsWith('https:') ? 'https' : 'http';
}

import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  StackContextManager,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { BreakerRegistry } from '../../src/registry/breaker-registry.js';
import {
  ATTR_FROM,
  ATTR_NAME,
  ATTR_REASON,
  ATTR_REJECTED,
  ATTR_STATE,
  ATTR_TO,
  EVENT_REJECTED,
  EVENT_TRANSITION,
} from '../../src/semconv.js';
import { ATTR_ERROR_TYPE } from '../../src/semconv.js';
import {
  addTransitionEvent,
  annotateActiveSpan,
  annotateSpan,
  recordRejectedSpan,
  startTransitionSpanEvents,
} from '../../src/telemetry/breaker-spans.js';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const tracer = provider.getTracer('breaker-spans-test');

describe('breaker facts on spans', () => {
  beforeAll(() => {
    // A synchronous context manager is enough: every hook runs inside context.with().
    context.setGlobalContextManager(new StackContextManager().enable());
  });
  afterAll(async () => {
    context.disable();
    await provider.shutdown();
  });
  afterEach(() => exporter.reset());

  const inSpan = (fn: () => void | Promise<void>) => {
    const span = tracer.startSpan('GET', { kind: SpanKind.CLIENT });
    return { span, run: () => context.with(trace.setSpan(context.active(), span), fn) };
  };

  it('annotates a span and the active span with the breaker name and state', () => {
    const explicit = tracer.startSpan('explicit');
    annotateSpan(explicit, 'api.example.com', 'closed');
    explicit.end();
    const { span, run } = inSpan(() => annotateActiveSpan('llm.example.com', 'half_open'));
    run();
    span.end();
    const [first, second] = exporter.getFinishedSpans();
    expect(first!.attributes).toEqual({ [ATTR_NAME]: 'api.example.com', [ATTR_STATE]: 'closed' });
    expect(second!.attributes).toEqual({
      [ATTR_NAME]: 'llm.example.com',
      [ATTR_STATE]: 'half_open',
    });
  });

  it('does nothing without an active or recording span', () => {
    expect(() => annotateActiveSpan('api.example.com', 'open')).not.toThrow();
    const ended = tracer.startSpan('ended');
    ended.end();
    annotateSpan(ended, 'api.example.com', 'open');
    expect(exporter.getFinishedSpans()[0]!.attributes).toEqual({});
  });

  it('records a rejected call as an ended CLIENT span with status ERROR, event and exception', () => {
    const breaker = new BreakerRegistry({ clock: new ManualClock() }).get('api.example.com');
    breaker.forceOpen();
    const error = breaker.rejectionError();
    recordRejectedSpan(tracer, 'GET', error, {
      'http.request.method': 'GET',
      'server.address': 'api.example.com',
    });
    const [span] = exporter.getFinishedSpans();
    expect(span!.name).toBe('GET');
    expect(span!.kind).toBe(SpanKind.CLIENT);
    expect(span!.status).toEqual({ code: SpanStatusCode.ERROR, message: error.message });
    expect(span!.attributes).toEqual({
      'http.request.method': 'GET',
      'server.address': 'api.example.com',
      [ATTR_NAME]: 'api.example.com',
      [ATTR_STATE]: 'forced_open',
      [ATTR_REJECTED]: true,
      [ATTR_ERROR_TYPE]: 'CircuitOpenError',
    });
    const names = span!.events.map((e) => e.name);
    expect(names).toEqual([EVENT_REJECTED, 'exception']);
    expect(span!.events[1]!.attributes?.['exception.type']).toBe('ECIRCUITOPEN');
  });

  it('puts a transition event on the span of the call that caused it', async () => {
    const clock = new ManualClock();
    const registry = new BreakerRegistry({ clock, random: () => 0 });
    const stop = startTransitionSpanEvents(registry);
    const breaker = registry.get('api.example.com', { failureThreshold: 1 });
    const { span, run } = inSpan(() => {
      // The failure is settled synchronously here so the StackContextManager still has the span.
      breaker.canRequest()?.recordFailure(new Error('boom'));
    });
    run();
    span.end();
    stop();
    const [finished] = exporter.getFinishedSpans();
    const event = finished!.events.find((e) => e.name === EVENT_TRANSITION);
    expect(event?.attributes).toEqual({
      [ATTR_NAME]: 'api.example.com',
      [ATTR_FROM]: 'closed',
      [ATTR_TO]: 'open',
      [ATTR_REASON]: 'consecutive_failures',
    });
  });

  it('addTransitionEvent takes an explicit span too', () => {
    const span = tracer.startSpan('explicit');
    addTransitionEvent(
      {
        name: 'a',
        from: 'open',
        to: 'half_open',
        reason: 'open_timeout_elapsed',
        at: Date.UTC(2026, 0, 1),
        epoch: 2,
      },
      span,
    );
    span.end();
    expect(exporter.getFinishedSpans()[0]!.events[0]).toMatchObject({
      name: EVENT_TRANSITION,
      time: [Date.UTC(2026, 0, 1) / 1000, 0],
    });
  });
});

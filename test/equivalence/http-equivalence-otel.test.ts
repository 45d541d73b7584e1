// The same equivalence with the OTel SDK and its http instrumentation running in both runs: the
// hook annotates the instrumentation's client span, and must still change nothing a caller sees.
import { createRequire } from 'node:module';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  StackContextManager,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTR_NAME } from '../../src/semconv.js';
import { httpEquivalenceSuite } from './http-equivalence-suite.js';

const require = createRequire(import.meta.url);
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const instrumentation = new HttpInstrumentation();
instrumentation.disable();

beforeAll(() => {
  context.setGlobalContextManager(new StackContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  instrumentation.setTracerProvider(provider);
  instrumentation.enable();
  require('node:http'); // lets the instrumentation patch the module's exports
  require('node:https');
});
afterAll(async () => {
  instrumentation.disable();
  await provider.shutdown();
  trace.disable();
  context.disable();
});

httpEquivalenceSuite('with the OTel SDK and http instrumentation');

describe('the instrumentation was really there', () => {
  it('made client spans, and the hooked runs annotated theirs', () => {
    const spans = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT);
    expect(spans.length).toBeGreaterThan(50);
    expect(spans.filter((s) => s.attributes[ATTR_NAME] === '127.0.0.1').length).toBeGreaterThan(20);
    expect(spans.some((s) => s.attributes[ATTR_NAME] === undefined)).toBe(true);
  });
});

// Spans with the real @opentelemetry/instrumentation-undici and instrumentation-http, in both
// orders (their instrumentations enabled before ours, and after).
import { createRequire } from 'node:module';
import type { ClientRequest } from 'node:http';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  StackContextManager,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CircuitOpenError } from '../../src/core/errors.js';
import { ATTR_NAME, ATTR_REJECTED, ATTR_STATE, EVENT_REJECTED } from '../../src/semconv.js';
import {
  disableHttpTransport,
  enableHttpTransport,
} from '../../src/transport/http/http-transport.js';
import { CircuitBreakerSpanProcessor } from '../../src/transport/span-processor.js';
import {
  disableUndiciTransport,
  enableUndiciTransport,
} from '../../src/transport/undici/undici-transport.js';
import { CountingServer } from './support/counting-server.js';
import { rule, transportFixture } from './support/transport-fixture.js';

const require = createRequire(import.meta.url);
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({
  spanProcessors: [new CircuitBreakerSpanProcessor(), new SimpleSpanProcessor({ exporter })],
});
// One instance each for the file: a second HttpInstrumentation in the same process would not see
// the already-loaded http module again; re-enabling the same instance re-patches it.
const undiciInstrumentation = new UndiciInstrumentation();
const httpInstrumentation = new HttpInstrumentation();
undiciInstrumentation.disable();
httpInstrumentation.disable();
let server: CountingServer;

beforeAll(async () => {
  context.setGlobalContextManager(new StackContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  server = await CountingServer.start();
});
afterAll(async () => {
  await server.close();
  await provider.shutdown();
  trace.disable();
  context.disable();
});

function httpGet(url: string): Promise<{ status?: number; error?: Error }> {
  const http = require('node:http') as typeof import('node:http');
  return new Promise((resolve) => {
    const req: ClientRequest = http.get(url, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode }));
    });
    req.on('error', (error) => resolve({ error }));
  });
}

/** Spans of one kind and name, after the exporter got them. */
function clientSpans(name = 'GET') {
  return exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.CLIENT && s.name === name);
}

describe.each([['OTel instrumentations first'], ['circuit breaker first']])('%s', (order) => {
  let fixture: ReturnType<typeof transportFixture>;

  beforeAll(() => {
    fixture = transportFixture([rule(server.hostPort)]);
    const enableOurs = () => {
      enableUndiciTransport(fixture.resolve);
      enableHttpTransport(fixture.resolve);
    };
    if (order === 'circuit breaker first') enableOurs();
    for (const i of [undiciInstrumentation, httpInstrumentation]) {
      i.setTracerProvider(provider);
      i.enable();
    }
    require('node:http'); // lets the http instrumentation patch the module's exports
    if (order === 'OTel instrumentations first') enableOurs();
  });
  afterAll(() => {
    undiciInstrumentation.disable();
    httpInstrumentation.disable();
    disableUndiciTransport();
    disableHttpTransport();
  });
  afterEach(() => {
    exporter.reset();
    fixture.breaker(server.hostPort).reset();
  });

  it('fetch: the undici client span carries the breaker name and state', async () => {
    await (await fetch(server.url('/ok'))).text();
    const [span] = clientSpans();
    expect(span?.instrumentationScope.name).toContain('undici');
    expect(span?.attributes[ATTR_NAME]).toBe(server.hostPort);
    expect(span?.attributes[ATTR_STATE]).toBe('closed');
  });

  it('fetch rejected: one CLIENT span named GET, status ERROR, rejected, exception', async () => {
    fixture.breaker(server.hostPort).forceOpen();
    await fetch(server.url('/ok')).catch(() => undefined);
    const spans = clientSpans();
    expect(spans).toHaveLength(1);
    const span = spans[0]!;
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes[ATTR_REJECTED]).toBe(true);
    expect(span.attributes[ATTR_NAME]).toBe(server.hostPort);
    expect(span.attributes[ATTR_STATE]).toBe('forced_open');
    expect(span.events.map((e) => e.name)).toEqual(
      expect.arrayContaining([EVENT_REJECTED, 'exception']),
    );
  });

  it('http: the http client span carries the breaker name and state', async () => {
    expect((await httpGet(server.url('/ok'))).status).toBe(200);
    const [span] = clientSpans();
    expect(span?.instrumentationScope.name).toContain('http');
    expect(span?.attributes[ATTR_NAME]).toBe(server.hostPort);
    expect(span?.attributes[ATTR_STATE]).toBe('closed');
  });

  it('http rejected: the http span is marked rejected, status ERROR, exception recorded', async () => {
    fixture.breaker(server.hostPort).forceOpen();
    expect((await httpGet(server.url('/ok'))).error).toBeInstanceOf(CircuitOpenError);
    const spans = clientSpans();
    expect(spans).toHaveLength(1);
    const span = spans[0]!;
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes[ATTR_REJECTED]).toBe(true);
    expect(span.attributes[ATTR_STATE]).toBe('forced_open');
    expect(span.events.map((e) => e.name)).toEqual(
      expect.arrayContaining([EVENT_REJECTED, 'exception']),
    );
  });
});

import { get } from 'node:http';
import { inspect } from 'node:util';
import { context, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminServer, type AdminServer } from '../../src/admin/admin-server.js';
import { isCircuitOpenError } from '../../src/core/errors.js';
import { redactMessage } from '../../src/core/redact.js';
import { BreakerRegistry } from '../../src/registry/breaker-registry.js';
import { startBreakerMetrics } from '../../src/telemetry/breaker-metrics.js';
import {
  recordRejectedSpan,
  startTransitionSpanEvents,
} from '../../src/telemetry/breaker-spans.js';
import { startTransitionLogs } from '../../src/telemetry/transition-logs.js';
import { SECRET_SHAPES } from '../fixtures/secret-shapes.js';
import {
  startInMemoryTelemetry,
  type InMemoryTelemetry,
} from '../telemetry/in-memory-telemetry.js';
import { startPrometheus, type PrometheusHarness } from '../telemetry/prometheus-harness.js';
import { send } from './http-client.js';

describe('redactMessage over the secret corpus', () => {
  it('holds at least 30 shapes', () => {
    expect(SECRET_SHAPES.filter((s) => s.secrets.length > 0).length).toBeGreaterThanOrEqual(30);
  });

  it.each(SECRET_SHAPES.map((s) => [s.label, s] as const))('%s', (_label, shape) => {
    const redacted = redactMessage(shape.message);
    for (const secret of shape.secrets) expect(redacted).not.toContain(secret);
    for (const kept of shape.keep ?? []) expect(redacted).toContain(kept);
  });
});

/** The first `snapshot` event of the admin endpoint's event stream. */
function firstSnapshotEvent(url: string): Promise<string> {
  return new Promise((done, fail) => {
    const req = get(`${url}/events`, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const frame = /event: snapshot\ndata: (.*)\n\n/.exec(text);
        if (frame !== null) {
          req.destroy();
          done(frame[1]!);
        }
      });
    });
    req.on('error', (error) => (req.destroyed ? undefined : fail(error)));
  });
}

describe('no secret of the corpus reaches any surface', () => {
  let prometheus: PrometheusHarness;
  let otel: InMemoryTelemetry;
  let admin: AdminServer;
  const registry = new BreakerRegistry({
    defaults: { failureThreshold: 2, openSeconds: 600, maxOpenSeconds: 600 },
  });
  const rejections: string[] = [];

  beforeAll(async () => {
    prometheus = await startPrometheus();
    otel = startInMemoryTelemetry();
    startBreakerMetrics(registry, { meterProvider: prometheus.meterProvider });
    startTransitionLogs(registry, { loggerProvider: otel.loggerProvider });
    startTransitionSpanEvents(registry);
    admin = await startAdminServer({ registry, port: 0, token: 'corpus-test-token-0123456789' });

    const tracer = otel.tracerProvider.getTracer('corpus');
    for (const [i, shape] of SECRET_SHAPES.entries()) {
      const breaker = registry.get(`svc-${i}.example.com`);
      // Thrown as an Error, then as a plain object with a message: both ways SDKs fail.
      for (const error of [new Error(shape.message), { message: shape.message, status: 500 }]) {
        const span = tracer.startSpan('call');
        await context.with(trace.setSpan(context.active(), span), () =>
          breaker.execute(() => Promise.reject(error)).catch(() => undefined),
        );
        span.end();
      }
      expect(breaker.currentState).toBe('open');
      await breaker
        .execute(() => 'never runs')
        .catch((error: unknown) => {
          if (!isCircuitOpenError(error)) throw error;
          rejections.push(error.message, String(error), inspect(error), JSON.stringify(error));
          recordRejectedSpan(tracer, 'call', error, { 'server.address': breaker.name });
        });
    }
  });

  afterAll(async () => {
    await admin?.close();
    await Promise.all([prometheus?.shutdown(), otel?.shutdown()]);
  });

  it('status(), admin JSON, SSE, the status page, logs, spans, metrics and CircuitOpenError', async () => {
    const perBreaker = await Promise.all(
      registry.list().map((b) => send(admin.url, 'GET', `/circuit-breakers/${b.name}`)),
    );
    const surfaces: Record<string, string> = {
      status: JSON.stringify(registry.list().map((b) => b.status())),
      adminList: (await send(admin.url, 'GET', '/circuit-breakers')).text,
      adminBreakers: perBreaker.map((r) => r.text).join('\n'),
      sse: await firstSnapshotEvent(admin.url),
      statusPage: (await send(admin.url, 'GET', '/')).text,
      logs: inspect(otel.logExporter.getFinishedLogRecords(), { depth: 10 }),
      spans: inspect(otel.spanExporter.getFinishedSpans(), { depth: 10 }),
      metrics: await prometheus.scrape(),
      circuitOpenErrors: rejections.join('\n'),
    };
    // Every surface was really exercised: each breaker's redacted message is there to be checked.
    expect(surfaces.adminList).toContain(redactMessage(SECRET_SHAPES[0]!.message));
    expect(surfaces.sse).toContain(redactMessage(SECRET_SHAPES[1]!.message));
    expect(otel.logExporter.getFinishedLogRecords().length).toBeGreaterThanOrEqual(
      SECRET_SHAPES.length,
    );
    expect(surfaces.spans).toContain('circuit_breaker.rejected');
    expect(rejections).toHaveLength(SECRET_SHAPES.length * 4);
    for (const shape of SECRET_SHAPES) {
      for (const secret of shape.secrets) {
        for (const [surface, text] of Object.entries(surfaces)) {
          expect(text.includes(secret), `${surface} shows "${secret}" (${shape.label})`).toBe(
            false,
          );
        }
      }
    }
  });
});

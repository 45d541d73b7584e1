import { inspect } from 'node:util';
import { context, trace } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { BreakerRegistry, OVERFLOW_BREAKER_NAME } from '../../src/registry/breaker-registry.js';
import { breakerMetricViews, startBreakerMetrics } from '../../src/telemetry/breaker-metrics.js';
import {
  PROM_CALLS,
  PROM_LABEL_NAME,
  PROM_LABEL_OUTCOME,
  PROM_STATE,
} from '../../src/telemetry/prometheus-names.js';
import {
  recordRejectedSpan,
  startTransitionSpanEvents,
} from '../../src/telemetry/breaker-spans.js';
import { startTransitionLogs } from '../../src/telemetry/transition-logs.js';
import { startInMemoryTelemetry, type InMemoryTelemetry } from './in-memory-telemetry.js';
import {
  parseExposition,
  samples,
  startPrometheus,
  valueOf,
  type PrometheusHarness,
} from './prometheus-harness.js';

describe('label cardinality', () => {
  let prometheus: PrometheusHarness | undefined;
  afterEach(async () => {
    await prometheus?.shutdown();
    prometheus = undefined;
  });

  it('10,000 distinct hosts through a registry capped at 100 give 101 breakers worth of series', async () => {
    prometheus = await startPrometheus();
    const registry = new BreakerRegistry({ clock: new ManualClock(), maxBreakers: 100 });
    startBreakerMetrics(registry, { meterProvider: prometheus.meterProvider });
    for (let i = 0; i < 10_000; i++)
      await registry.get(`host-${i}.example.com`).execute(() => 'ok');

    const families = parseExposition(await prometheus.scrape());
    const names = new Set(samples(families, PROM_STATE).map((s) => s.labels[PROM_LABEL_NAME]));
    const expected = new Set([
      ...Array.from({ length: 100 }, (_, i) => `host-${i}.example.com`),
      OVERFLOW_BREAKER_NAME,
    ]);
    expect(names).toEqual(expected);
    expect(samples(families, PROM_STATE)).toHaveLength(101 * 5);
    expect(samples(families, PROM_CALLS)).toHaveLength(101 * 4);
    for (const family of families) {
      const labelValues = new Set(
        family.metrics.map((m) => m.labels?.[PROM_LABEL_NAME]).filter(Boolean),
      );
      expect(labelValues.size, family.name).toBeLessThanOrEqual(101);
    }
    // Hosts past the cap still count, under the one overflow breaker (disabled: never rejects).
    expect(
      valueOf(families, PROM_CALLS, {
        [PROM_LABEL_NAME]: OVERFLOW_BREAKER_NAME,
        [PROM_LABEL_OUTCOME]: 'success',
      }),
    ).toBe(9_900);
    expect(registry.overflowedNames).toBe(9_900);
  });

  it('breakerMetricViews lifts the SDK series limit so many breakers never spill into otel_metric_overflow', async () => {
    const fill = (registry: BreakerRegistry) => {
      for (let i = 0; i < 500; i++) registry.get(`host-${i}.example.com`); // 2,500 state series > 2,000
    };
    prometheus = await startPrometheus();
    const plain = new BreakerRegistry({ clock: new ManualClock() });
    startBreakerMetrics(plain, { meterProvider: prometheus.meterProvider });
    fill(plain);
    const capped = await prometheus.scrape();
    expect(capped).toContain('otel_metric_overflow="true"');
    await prometheus.shutdown();

    prometheus = await startPrometheus({ views: breakerMetricViews(500) });
    const registry = new BreakerRegistry({ clock: new ManualClock() });
    startBreakerMetrics(registry, { meterProvider: prometheus.meterProvider });
    fill(registry);
    const text = await prometheus.scrape();
    expect(text).not.toContain('otel_metric_overflow');
    expect(samples(parseExposition(text), PROM_STATE)).toHaveLength(2_500);
  });
});

describe('no URL path, query, userinfo, header or key in anything we export', () => {
  const SECRET_URL = 'https://user:secret@api.example.com/path?api_key=XYZ';
  const FORBIDDEN = ['secret', 'XYZ', '/path', 'api_key', 'user:', 'Bearer', 'sk-live'];

  let prometheus: PrometheusHarness;
  let otel: InMemoryTelemetry;

  beforeEach(async () => {
    prometheus = await startPrometheus();
    otel = startInMemoryTelemetry();
  });
  afterEach(async () => {
    await Promise.all([prometheus.shutdown(), otel.shutdown()]);
  });

  /** Errors as transports and SDKs really throw them, each carrying the secret somewhere. */
  const leakyErrors = (): unknown[] => [
    Object.assign(new TypeError(`fetch failed: ${SECRET_URL}`), {
      cause: new Error(`connect ECONNREFUSED ${SECRET_URL}`),
    }),
    Object.assign(new Error(`Request failed with status code 503 for ${SECRET_URL}`), {
      status: 503,
      config: { url: SECRET_URL, headers: { authorization: 'Bearer sk-live-0123456789abcdef' } },
    }),
    Object.assign(new Error('socket hang up'), {
      code: 'ECONNRESET',
      url: SECRET_URL,
      path: '/path?api_key=XYZ',
    }),
    { message: `api_key=XYZ failed for ${SECRET_URL}`, status: 500 },
    `plain string error ${SECRET_URL}`,
  ];

  it('metrics, log records and spans carry none of it', async () => {
    const clock = new ManualClock();
    const registry = new BreakerRegistry({ clock, random: () => 0 });
    startBreakerMetrics(registry, { meterProvider: prometheus.meterProvider });
    startTransitionLogs(registry, { loggerProvider: otel.loggerProvider });
    startTransitionSpanEvents(registry);
    const tracer = otel.tracerProvider.getTracer('hygiene');

    for (const name of [
      'api.example.com',
      'api.example.com:443',
      '*.example.com',
      'agent:researcher',
    ]) {
      const breaker = registry.get(name, { failureThreshold: 3 });
      for (const error of leakyErrors()) {
        const span = tracer.startSpan('GET');
        context.with(trace.setSpan(context.active(), span), () => {
          breaker.canRequest()?.recordFailure(error, { kind: 'server' });
        });
        span.end();
      }
      await breaker
        .execute(() => 'ok')
        .catch((e: Parameters<typeof recordRejectedSpan>[2]) => {
          recordRejectedSpan(tracer, 'GET', e, { 'server.address': 'api.example.com' });
        });
      clock.advance(60_000);
      await breaker.execute(() => Promise.reject(leakyErrors()[0])).catch(() => undefined);
    }
    registry.get('forced.example.com').forceOpen();

    const exported = {
      metrics: await prometheus.scrape(),
      logs: inspect(otel.logExporter.getFinishedLogRecords(), { depth: 8 }),
      spans: inspect(otel.spanExporter.getFinishedSpans(), { depth: 8 }),
    };
    // The scenario did produce telemetry worth checking.
    expect(exported.metrics).toContain(PROM_STATE);
    expect(otel.logExporter.getFinishedLogRecords().length).toBeGreaterThanOrEqual(12);
    expect(exported.spans).toContain('circuit_breaker.transition');
    expect(exported.spans).toContain('circuit_breaker.rejected');
    for (const [kind, text] of Object.entries(exported)) {
      for (const word of FORBIDDEN)
        expect(text.includes(word), `${kind} contains ${word}`).toBe(false);
    }
    // The status API (not exported telemetry, but shown by admin/CLI) redacts too.
    const status = JSON.stringify(registry.list().map((b) => b.status()));
    for (const word of ['secret', 'XYZ', '/path'])
      expect(status.includes(word), `status contains ${word}`).toBe(false);
  });
});

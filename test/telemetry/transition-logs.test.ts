import { SeverityNumber } from '@opentelemetry/api';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { BreakerRegistry } from '../../src/registry/breaker-registry.js';
import {
  ATTR_FAILURE_KIND,
  ATTR_FROM,
  ATTR_NAME,
  ATTR_REASON,
  ATTR_TO,
  EVENT_TRANSITION,
  INSTRUMENTATION_SCOPE,
} from '../../src/semconv.js';
import { PACKAGE_VERSION } from '../../src/telemetry/package-version.js';
import {
  ATTR_CONSECUTIVE_FAILURES,
  ATTR_ERROR_TYPE,
  ATTR_FAILURE_RATE,
  ATTR_RETRY_AFTER_MS,
  ATTR_SLOW_CALL_RATE,
} from '../../src/semconv.js';
import { startTransitionLogs } from '../../src/telemetry/transition-logs.js';

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' });

describe('transition log records', () => {
  let exporter: InMemoryLogRecordExporter;
  let loggerProvider: LoggerProvider;
  let clock: ManualClock;
  let registry: BreakerRegistry;
  let dispose: () => void;

  beforeEach(() => {
    exporter = new InMemoryLogRecordExporter();
    loggerProvider = new LoggerProvider({
      processors: [new SimpleLogRecordProcessor({ exporter })],
    });
    clock = new ManualClock();
    registry = new BreakerRegistry({ clock, random: () => 0 });
    dispose = startTransitionLogs(registry, { loggerProvider });
  });
  afterEach(async () => {
    dispose();
    await loggerProvider.shutdown();
  });

  async function fail(name: string, times: number, error: () => unknown = refused): Promise<void> {
    for (let i = 0; i < times; i++) {
      await registry
        .get(name)
        .execute(() => Promise.reject(error()))
        .catch(() => undefined);
    }
  }

  const records = () => exporter.getFinishedLogRecords();

  it('logs an open as WARN with a readable body and the numbers behind it', async () => {
    await fail('api.example.com', 5);
    expect(records()).toHaveLength(1);
    const record = records()[0]!;
    expect(record.severityNumber).toBe(SeverityNumber.WARN);
    expect(record.severityText).toBe('WARN');
    expect(record.eventName).toBe(EVENT_TRANSITION);
    expect(record.body).toBe(
      'circuit api.example.com opened: 5 consecutive failures; retry in 30s',
    );
    expect(record.attributes).toEqual({
      [ATTR_NAME]: 'api.example.com',
      [ATTR_FROM]: 'closed',
      [ATTR_TO]: 'open',
      [ATTR_REASON]: 'consecutive_failures',
      [ATTR_CONSECUTIVE_FAILURES]: 5,
      [ATTR_FAILURE_RATE]: 1,
      [ATTR_SLOW_CALL_RATE]: 0,
      [ATTR_RETRY_AFTER_MS]: 30_000,
      [ATTR_FAILURE_KIND]: 'connection',
      [ATTR_ERROR_TYPE]: 'Error',
    });
    expect(record.instrumentationScope).toMatchObject({
      name: INSTRUMENTATION_SCOPE,
      version: PACKAGE_VERSION,
    });
    expect(record.hrTime[0]).toBe(Math.floor(clock.wallNow() / 1000));
  });

  it('logs half-open and close as INFO, one record per transition', async () => {
    await fail('api.example.com', 5);
    clock.advance(30_000);
    const breaker = registry.get('api.example.com');
    await breaker.execute(() => 'ok'); // open time elapsed → half_open, first probe
    await breaker.execute(() => 'ok'); // second probe → closed
    const seen = records().map((r) => [r.severityNumber, r.body]);
    expect(seen).toEqual([
      [SeverityNumber.WARN, 'circuit api.example.com opened: 5 consecutive failures; retry in 30s'],
      [
        SeverityNumber.INFO,
        'circuit api.example.com half-opened: open time elapsed, letting probe calls through',
      ],
      [SeverityNumber.INFO, 'circuit api.example.com closed: 2 probe calls succeeded'],
    ]);
    expect(records()[2]!.attributes[ATTR_CONSECUTIVE_FAILURES]).toBe(0);
  });

  it('describes every reason in words', async () => {
    const byRate = registry.get('rate.example.com', { failureThreshold: 0, minimumCalls: 4 });
    await byRate.execute(() => 'ok');
    await fail('rate.example.com', 3);
    const retry = Object.assign(new Error('429'), { status: 429 });
    registry.get('llm.example.com', { failureThreshold: 0, failureRateThreshold: 0 });
    registry
      .get('llm.example.com')
      .canRequest()
      ?.recordFailure(retry, { retryAfterMs: 12_000, kind: 'rate_limited' });
    registry.get('admin.example.com').forceOpen();
    registry.get('admin.example.com').reset();
    registry.get('legacy.example.com').disable();
    await fail('probe.example.com', 5);
    clock.advance(30_000);
    await fail('probe.example.com', 1);

    const bodies = records().map((r) => r.body);
    expect(bodies).toEqual([
      'circuit rate.example.com opened: failure rate 75% over the last 60s (4 calls, threshold 50%); retry in 30s',
      'circuit llm.example.com opened: the server asked to retry after 12s',
      'circuit admin.example.com forced open: opened by hand',
      'circuit admin.example.com closed: reset by hand',
      'circuit legacy.example.com disabled: disabled by hand',
      'circuit probe.example.com opened: 5 consecutive failures; retry in 30s',
      'circuit probe.example.com half-opened: open time elapsed, letting probe calls through',
      'circuit probe.example.com opened: a probe call failed; retry in 60s',
    ]);
    const severities = records().map((r) => r.severityText);
    expect(severities).toEqual(['WARN', 'WARN', 'WARN', 'INFO', 'INFO', 'WARN', 'INFO', 'WARN']);
    const llm = records()[1]!;
    expect(llm.attributes[ATTR_FAILURE_KIND]).toBe('rate_limited');
    expect(llm.attributes[ATTR_RETRY_AFTER_MS]).toBe(11_990); // Retry-After opens end 10 ms early (timer slack)
  });

  it('stops after dispose', async () => {
    dispose();
    await fail('api.example.com', 5);
    expect(records()).toHaveLength(0);
  });
});

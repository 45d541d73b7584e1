import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/core/policy.js';
import { BREAKER_STATES } from '../../src/core/state-names.js';
import { INSTRUMENTATION_SCOPE, OUTCOMES } from '../../src/semconv.js';
import { startBreakerMetrics } from '../../src/telemetry/breaker-metrics.js';
import { METRIC_DEFINITIONS } from '../../src/telemetry/metric-definitions.js';
import { PACKAGE_VERSION } from '../../src/telemetry/package-version.js';
import {
  PROM_CALLS,
  PROM_FAILURE_RATE,
  PROM_FAILURE_RATE_THRESHOLD,
  PROM_LABEL_FROM,
  PROM_LABEL_NAME,
  PROM_LABEL_OUTCOME,
  PROM_LABEL_SCOPE_NAME,
  PROM_LABEL_SCOPE_VERSION,
  PROM_LABEL_STATE,
  PROM_LABEL_STORE,
  PROM_LABEL_TO,
  PROM_MINIMUM_CALLS,
  PROM_OPEN_DURATION,
  PROM_SHADOW_REJECTIONS,
  PROM_SLOW_CALL_RATE,
  PROM_SLOW_CALL_RATE_THRESHOLD,
  PROM_STATE,
  PROM_STORE_AVAILABLE,
  PROM_STORE_ERRORS,
  PROM_TIME_UNTIL_PROBE,
  PROM_TRANSITIONS,
  PROMETHEUS_METRIC_NAMES,
} from '../../src/telemetry/prometheus-names.js';
import {
  CLOSED_RULES,
  driveScenario,
  NAMES,
  normaliseExposition,
  readFixture,
  scenarioRegistry,
  scrapeScenario,
  STORE_HEALTH,
} from './metrics-scenario.js';
import {
  parseExposition,
  samples,
  startPrometheus,
  valueOf,
  type PrometheusHarness,
} from './prometheus-harness.js';

/** The one-hot state gauge of one breaker and state. */
const stateValue = (families: ReturnType<typeof parseExposition>, name: string, state: string) =>
  valueOf(families, PROM_STATE, { [PROM_LABEL_NAME]: name, [PROM_LABEL_STATE]: state });

describe('metrics through a real Prometheus scrape', () => {
  let prometheus: PrometheusHarness;
  beforeEach(async () => {
    prometheus = await startPrometheus();
  });
  afterEach(async () => {
    await prometheus.shutdown();
  });

  async function scenarioScrape() {
    const { registry, clock } = scenarioRegistry();
    const dispose = startBreakerMetrics(registry, {
      meterProvider: prometheus.meterProvider,
      storeHealth: () => STORE_HEALTH,
    });
    await driveScenario(registry, clock);
    const text = await prometheus.scrape();
    return { registry, clock, dispose, text, families: parseExposition(text) };
  }

  it('serves every instrument under the name prometheus-names.ts derives, with its type and unit', async () => {
    const { text, families } = await scenarioScrape();
    for (const [key, def] of Object.entries(METRIC_DEFINITIONS)) {
      const name = PROMETHEUS_METRIC_NAMES[key as keyof typeof METRIC_DEFINITIONS];
      const family = families.find((f) => f.name === name);
      expect(family, name).toBeDefined();
      expect(family!.type).toBe(def.kind === 'counter' ? 'COUNTER' : 'GAUGE');
      expect(family!.help).toBe(def.description);
      // The parser skips UNIT lines; the exporter writes the OTel unit there and adds no suffix.
      expect(text).toContain(`# UNIT ${name} ${def.unit}\n`);
    }
    const ours = families.filter((f) => f.name.startsWith('circuit_breaker_')).map((f) => f.name);
    expect(ours.sort()).toEqual(Object.values(PROMETHEUS_METRIC_NAMES).sort());
    expect([
      PROM_STATE,
      PROM_CALLS,
      PROM_TRANSITIONS,
      PROM_FAILURE_RATE,
      PROM_STORE_AVAILABLE,
    ]).toEqual([
      'circuit_breaker_state',
      'circuit_breaker_calls_total',
      'circuit_breaker_transitions_total',
      'circuit_breaker_failure_rate',
      'circuit_breaker_store_available',
    ]);
  });

  it('reports the state one-hot over all five states for every breaker', async () => {
    const { text, families } = await scenarioScrape();
    // The exact line the issue names (the exporter appends its scope labels after ours).
    expect(text).toContain(
      `${PROM_STATE}{${PROM_LABEL_NAME}="api.example.com",${PROM_LABEL_STATE}="open",${PROM_LABEL_SCOPE_NAME}="${INSTRUMENTATION_SCOPE}",`,
    );
    const expected = {
      [NAMES.open]: 'open',
      [NAMES.halfOpen]: 'half_open',
      [NAMES.closed]: 'closed',
      [NAMES.forcedOpen]: 'forced_open',
      [NAMES.disabled]: 'disabled',
      [NAMES.observe]: 'open',
    };
    for (const [name, current] of Object.entries(expected)) {
      for (const state of BREAKER_STATES) {
        const value = valueOf(families, PROM_STATE, {
          [PROM_LABEL_NAME]: name,
          [PROM_LABEL_STATE]: state,
        });
        expect(value, `${name} ${state}`).toBe(state === current ? 1 : 0);
      }
    }
    expect(samples(families, PROM_STATE)).toHaveLength(
      Object.keys(expected).length * BREAKER_STATES.length,
    );
    // `sum by (circuit_breaker_state)`: each breaker counts exactly once.
    const total = samples(families, PROM_STATE).reduce((sum, s) => sum + s.value, 0);
    expect(total).toBe(Object.keys(expected).length);
  });

  it('counts calls by outcome, shadow rejections and transitions by from/to', async () => {
    const { families } = await scenarioScrape();
    const calls = (name: string, outcome: string) =>
      valueOf(families, PROM_CALLS, { [PROM_LABEL_NAME]: name, [PROM_LABEL_OUTCOME]: outcome });
    expect(calls(NAMES.open, 'failure')).toBe(5);
    expect(calls(NAMES.open, 'ignored')).toBe(1);
    expect(calls(NAMES.open, 'rejected')).toBe(2);
    expect(calls(NAMES.open, 'success')).toBe(0);
    expect(calls(NAMES.forcedOpen, 'rejected')).toBe(1);
    expect(calls(NAMES.disabled, 'success')).toBe(2);
    expect(calls(NAMES.disabled, 'failure')).toBe(2);
    expect(calls(NAMES.observe, 'success')).toBe(3);
    expect(calls(NAMES.observe, 'rejected')).toBe(0);
    for (const outcome of OUTCOMES) expect(calls(NAMES.closed, outcome)).toBeDefined();

    expect(valueOf(families, PROM_SHADOW_REJECTIONS, { [PROM_LABEL_NAME]: NAMES.observe })).toBe(3);
    expect(valueOf(families, PROM_SHADOW_REJECTIONS, { [PROM_LABEL_NAME]: NAMES.open })).toBe(0);

    const transition = (name: string, from: string, to: string) =>
      valueOf(families, PROM_TRANSITIONS, {
        [PROM_LABEL_NAME]: name,
        [PROM_LABEL_FROM]: from,
        [PROM_LABEL_TO]: to,
      });
    expect(transition(NAMES.closed, 'closed', 'open')).toBe(1);
    expect(transition(NAMES.closed, 'open', 'half_open')).toBe(1);
    expect(transition(NAMES.closed, 'half_open', 'closed')).toBe(1);
    expect(transition(NAMES.forcedOpen, 'closed', 'forced_open')).toBe(1);
    expect(transition(NAMES.disabled, 'closed', 'disabled')).toBe(1);
    // Only pairs that happened are series.
    expect(samples(families, PROM_TRANSITIONS)).toHaveLength(9);
  });

  it('reports window rates and store health', async () => {
    const { families } = await scenarioScrape();
    expect(valueOf(families, PROM_FAILURE_RATE, { [PROM_LABEL_NAME]: NAMES.closed })).toBe(0.25);
    expect(valueOf(families, PROM_SLOW_CALL_RATE, { [PROM_LABEL_NAME]: NAMES.closed })).toBe(0.25);
    expect(valueOf(families, PROM_FAILURE_RATE, { [PROM_LABEL_NAME]: NAMES.halfOpen })).toBe(5 / 8);
    expect(valueOf(families, PROM_FAILURE_RATE, { [PROM_LABEL_NAME]: NAMES.forcedOpen })).toBe(0);
    expect(valueOf(families, PROM_STORE_AVAILABLE, { [PROM_LABEL_STORE]: 'redis' })).toBe(1);
    expect(valueOf(families, PROM_STORE_ERRORS, { [PROM_LABEL_STORE]: 'redis' })).toBe(2);
  });

  it("exports each breaker's own thresholds and minimum calls beside its rates", async () => {
    const { families } = await scenarioScrape();
    const rule = (metric: string, name: string) =>
      valueOf(families, metric, { [PROM_LABEL_NAME]: name });
    expect(rule(PROM_FAILURE_RATE_THRESHOLD, NAMES.closed)).toBe(CLOSED_RULES.failureRateThreshold);
    expect(rule(PROM_SLOW_CALL_RATE_THRESHOLD, NAMES.closed)).toBe(
      CLOSED_RULES.slowCallRateThreshold,
    );
    expect(rule(PROM_MINIMUM_CALLS, NAMES.closed)).toBe(CLOSED_RULES.minimumCalls);
    expect(rule(PROM_FAILURE_RATE_THRESHOLD, NAMES.open)).toBe(
      PRESETS.default.failureRateThreshold,
    );
    expect(rule(PROM_SLOW_CALL_RATE_THRESHOLD, NAMES.open)).toBe(
      PRESETS.default.slowCallRateThreshold,
    );
    expect(rule(PROM_MINIMUM_CALLS, NAMES.open)).toBe(PRESETS.default.minimumCalls);
    for (const metric of [PROM_FAILURE_RATE_THRESHOLD, PROM_MINIMUM_CALLS, PROM_OPEN_DURATION]) {
      expect(samples(families, metric), metric).toHaveLength(Object.keys(NAMES).length);
    }
  });

  it('reports the open time with back-off and counts the time until the probe down to 0', async () => {
    const { registry, clock, families } = await scenarioScrape();
    const seconds = (metric: string, name: string, from = families) =>
      valueOf(from, metric, { [PROM_LABEL_NAME]: name });
    // Open since the scrape's clock time: 30 s (no jitter in the scenario), all still to wait.
    expect(seconds(PROM_OPEN_DURATION, NAMES.open)).toBe(30);
    expect(seconds(PROM_TIME_UNTIL_PROBE, NAMES.open)).toBe(30);
    // Half-open: a failed probe would re-open for twice as long; no wait now.
    expect(seconds(PROM_OPEN_DURATION, NAMES.halfOpen)).toBe(60);
    expect(seconds(PROM_TIME_UNTIL_PROBE, NAMES.halfOpen)).toBe(0);
    // Closed, forced open and disabled: the first open time, and no timed probe.
    for (const name of [NAMES.closed, NAMES.forcedOpen, NAMES.disabled]) {
      expect(seconds(PROM_OPEN_DURATION, name), name).toBe(30);
      expect(seconds(PROM_TIME_UNTIL_PROBE, name), name).toBe(0);
    }

    clock.advance(12_500);
    const later = parseExposition(await prometheus.scrape());
    expect(seconds(PROM_TIME_UNTIL_PROBE, NAMES.open, later)).toBe(17.5);

    // The probe fails: open again for 60 s (back-off), then 120 s after the next failed probe.
    clock.advance(17_500);
    await registry
      .get(NAMES.open)
      .execute(() => Promise.reject(new Error('still down')))
      .catch(() => undefined);
    const reopened = parseExposition(await prometheus.scrape());
    expect(seconds(PROM_OPEN_DURATION, NAMES.open, reopened)).toBe(60);
    expect(seconds(PROM_TIME_UNTIL_PROBE, NAMES.open, reopened)).toBe(60);
    clock.advance(60_000);
    const probing = parseExposition(await prometheus.scrape());
    expect(stateValue(probing, NAMES.open, 'half_open')).toBe(1);
    expect(seconds(PROM_OPEN_DURATION, NAMES.open, probing)).toBe(120);
    expect(seconds(PROM_TIME_UNTIL_PROBE, NAMES.open, probing)).toBe(0);
  });

  it('labels every series with our scope name and package version', async () => {
    const { families } = await scenarioScrape();
    expect(PACKAGE_VERSION).toMatch(/^\d+\.\d+\.\d+/);
    for (const family of families.filter((f) => f.name.startsWith('circuit_breaker_'))) {
      for (const sample of family.metrics) {
        expect(sample.labels?.[PROM_LABEL_SCOPE_NAME]).toBe(INSTRUMENTATION_SCOPE);
        expect(sample.labels?.[PROM_LABEL_SCOPE_VERSION]).toBe(PACKAGE_VERSION);
      }
    }
  });

  it('reads state lazily at collection: an elapsed open time shows as half_open, window rates age out', async () => {
    const { clock, families: before } = await scenarioScrape();
    expect(
      valueOf(before, PROM_STATE, { [PROM_LABEL_NAME]: NAMES.open, [PROM_LABEL_STATE]: 'open' }),
    ).toBe(1);
    clock.advance(61_000); // past the 30 s open time and the whole 60 s window
    const after = parseExposition(await prometheus.scrape());
    expect(stateValue(after, NAMES.open, 'half_open')).toBe(1);
    expect(stateValue(after, NAMES.open, 'open')).toBe(0);
    expect(valueOf(after, PROM_FAILURE_RATE, { [PROM_LABEL_NAME]: NAMES.closed })).toBe(0);
    expect(
      valueOf(after, PROM_TRANSITIONS, {
        [PROM_LABEL_NAME]: NAMES.open,
        [PROM_LABEL_FROM]: 'open',
        [PROM_LABEL_TO]: 'half_open',
      }),
    ).toBe(1);
  });

  it('a removed breaker counts in no state any more', async () => {
    const { registry, families: before } = await scenarioScrape();
    expect(
      valueOf(before, PROM_STATE, {
        [PROM_LABEL_NAME]: NAMES.disabled,
        [PROM_LABEL_STATE]: 'disabled',
      }),
    ).toBe(1);
    registry.remove(NAMES.disabled);
    for (let scrape = 0; scrape < 2; scrape++) {
      const after = parseExposition(await prometheus.scrape());
      // sdk-metrics 3.1 still exports a series that stopped being observed (opentelemetry-js#4096);
      // we report 0 once for every state, so it is either gone or 0, never a stale 1.
      const left = samples(after, PROM_STATE, { [PROM_LABEL_NAME]: NAMES.disabled });
      expect(left.every((s) => s.value === 0)).toBe(true);
      expect(samples(after, PROM_STATE).reduce((sum, s) => sum + s.value, 0)).toBe(5);
    }
  });

  it('dispose stops the observations and a second registry can take over', async () => {
    const { dispose } = await scenarioScrape();
    dispose();
    dispose(); // idempotent
    const { registry } = scenarioRegistry();
    startBreakerMetrics(registry, { meterProvider: prometheus.meterProvider });
    registry.get('fresh.example.com');
    const families = parseExposition(await prometheus.scrape());
    expect(
      valueOf(families, PROM_STATE, {
        [PROM_LABEL_NAME]: 'fresh.example.com',
        [PROM_LABEL_STATE]: 'closed',
      }),
    ).toBe(1);
  });
});

describe('golden fixture test/fixtures/metrics.prom', () => {
  it('matches a fresh scrape of the scenario (regenerate: npx tsx scripts/update-metrics-fixture.ts)', async () => {
    const scraped = normaliseExposition(await scrapeScenario());
    expect(scraped).toBe(readFixture());
  });

  it('parses as Prometheus text format and holds every instrument', () => {
    const names = parseExposition(readFixture()).map((f) => f.name);
    expect(names).toEqual(Object.values(PROMETHEUS_METRIC_NAMES));
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock } from '../../src/core/clock.js';
import { BreakerRegistry } from '../../src/registry/breaker-registry.js';
import { startBreakerMetrics } from '../../src/telemetry/breaker-metrics.js';
import { PROM_LABEL_SCOPE_VERSION } from '../../src/telemetry/prometheus-names.js';
import { startPrometheus } from './prometheus-harness.js';

/**
 * The scenario behind test/fixtures/metrics.prom: a fixed clock, no jitter, and breakers driven
 * into every state, so one scrape shows every series our dashboards and alerts use. Shared by the
 * contract test and scripts/update-metrics-fixture.ts, so both produce the same bytes.
 */

export const FIXTURE_PATH = join(__dirname, '../fixtures/metrics.prom');
/** Stands in for the package version in the fixture, so releasing does not change it. */
export const FIXTURE_VERSION = '0.0.0-fixture';

export const NAMES = {
  open: 'api.example.com',
  halfOpen: 'llm.example.com',
  closed: 'payments.internal:8443',
  forcedOpen: 'admin.example.com',
  disabled: 'legacy.example.com',
  observe: 'agent:researcher',
} as const;

const connectionRefused = (): Error =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' });
const callerAbort = (): Error =>
  Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });

async function fail(registry: BreakerRegistry, name: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    await registry
      .get(name)
      .execute(() => Promise.reject(connectionRefused()))
      .catch(() => undefined);
  }
}

async function succeed(registry: BreakerRegistry, name: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await registry.get(name).execute(() => 'ok');
}

async function attempt(registry: BreakerRegistry, name: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await succeed(registry, name, 1).catch(() => undefined);
}

/** Thresholds of the closed breaker, below the default ones (none of them is reached). */
export const CLOSED_RULES = {
  failureRateThreshold: 0.3,
  slowCallRateThreshold: 0.6,
  minimumCalls: 10,
} as const;

/** Drives a fresh registry (default policy: 5 failures trip, 30 s open, 2 probes close). */
export async function driveScenario(registry: BreakerRegistry, clock: ManualClock): Promise<void> {
  // Rules of its own (exported as threshold gauges); the others run the default policy.
  registry.get(NAMES.closed, CLOSED_RULES);
  // These two trip now and pass their open time below.
  await succeed(registry, NAMES.halfOpen, 3);
  await fail(registry, NAMES.halfOpen, 5);
  await fail(registry, NAMES.closed, 5);
  clock.advance(30_000);

  // An internal service with a health check: two passing checks close it (successThreshold); its
  // user calls never probe.
  const checked = registry.get(NAMES.closed).healthChecks;
  checked.takeOver();
  for (let i = 0; i < 2; i++) checked.settle(checked.begin()!, true);

  // half_open: one of the two probes needed has succeeded.
  await succeed(registry, NAMES.halfOpen, 1);

  // closed, then a window with 1 failure and 1 slow call out of 4.
  await succeed(registry, NAMES.closed, 2);
  const permit = registry.get(NAMES.closed).canRequest();
  permit?.recordSuccess(12_000); // ≥ slowCallDurationMs (10 s)
  await fail(registry, NAMES.closed, 1);

  // open: an ignored caller abort, 5 failures, then 2 calls rejected without being sent.
  await registry
    .get(NAMES.open)
    .execute(() => Promise.reject(callerAbort()))
    .catch(() => undefined);
  await fail(registry, NAMES.open, 5);
  await attempt(registry, NAMES.open, 2);

  // forced_open by hand, one call rejected.
  registry.get(NAMES.forcedOpen).forceOpen();
  await attempt(registry, NAMES.forcedOpen, 1);

  // disabled: calls pass and are still counted.
  registry.get(NAMES.disabled).disable();
  await succeed(registry, NAMES.disabled, 2);
  await fail(registry, NAMES.disabled, 1);
  registry.get(NAMES.disabled).canRequest()?.recordFailure(new Error('429 Too Many Requests'), {
    kind: 'rate_limited',
    retryAfterMs: 1_000,
  });

  // observe mode: trips like enforce, then lets 3 calls through that enforce would have rejected.
  registry.get(NAMES.observe, { mode: 'observe' });
  await fail(registry, NAMES.observe, 5);
  await succeed(registry, NAMES.observe, 3);
}

export const STORE_HEALTH = { available: true, errors: 2, store: 'redis' } as const;

/** New registry and fixed clock, as the scenario expects. */
export function scenarioRegistry(): { registry: BreakerRegistry; clock: ManualClock } {
  const clock = new ManualClock();
  return { clock, registry: new BreakerRegistry({ clock, random: () => 0 }) };
}

/**
 * The scrape as committed: without the target_info family (it describes the app's resource, not
 * our metrics) and with the scope version replaced, so the fixture changes only when our series
 * or the exporter's rendering of them change.
 */
export function normaliseExposition(text: string): string {
  const lines = text
    .split('\n')
    .filter((line) => !/^(# (HELP|TYPE|UNIT) )?target_info\b/.test(line));
  const body = lines
    .join('\n')
    .replace(
      new RegExp(`${PROM_LABEL_SCOPE_VERSION}="[^"]*"`, 'g'),
      `${PROM_LABEL_SCOPE_VERSION}="${FIXTURE_VERSION}"`,
    )
    .trim();
  return `${FIXTURE_HEADER}\n${body}\n`;
}

const FIXTURE_HEADER = [
  '# Golden scrape of the otel-circuit-breaker metrics (the public names), as served by',
  '# @opentelemetry/exporter-prometheus. Dashboards and alert rules are built from these names.',
  '# Generated by `npx tsx scripts/update-metrics-fixture.ts`; checked by',
  '# test/telemetry/prometheus-scrape.test.ts. target_info removed, otel_scope_version normalised.',
].join('\n');

/** Runs the scenario against a real Prometheus exporter and returns the raw scrape. */
export async function scrapeScenario(): Promise<string> {
  const prometheus = await startPrometheus();
  try {
    const { registry, clock } = scenarioRegistry();
    startBreakerMetrics(registry, {
      meterProvider: prometheus.meterProvider,
      storeHealth: () => STORE_HEALTH,
    });
    await driveScenario(registry, clock);
    return await prometheus.scrape();
  } finally {
    await prometheus.shutdown();
  }
}

export function readFixture(): string {
  return readFileSync(FIXTURE_PATH, 'utf8');
}

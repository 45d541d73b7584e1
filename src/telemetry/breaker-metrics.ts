// On first use: the OpenTelemetry API loads when instruments are made on a meter.
import {
  metrics,
  ValueType,
  type BatchObservableCallback,
  type Meter,
  type MeterProvider,
  type Observable,
} from '@opentelemetry/api';
import type { BreakerRegistry } from '../registry/breaker-registry.js';
import { INSTRUMENTATION_SCOPE } from '../semconv.js';
import type { StoreHealth } from '../store/state-store.js';
import { BreakerObserver, type BreakerInstruments } from './breaker-observer.js';
import { METRIC_DEFINITIONS, type MetricDefinition, type MetricKey } from './metric-definitions.js';
import { PACKAGE_VERSION } from './package-version.js';

export interface BreakerMetricsOptions {
  /**
   * Where the instruments are created. Default: the global provider at the time of the call. The
   * OTel metrics API has no proxy provider, so start these after the SDK has started (or pass it).
   */
  readonly meterProvider?: MeterProvider;
  /** Shared-store health (`store.health()`), read at each collection; omit without a shared store. @internal */
  readonly storeHealth?: () => StoreHealth | undefined;
}

/**
 * Exposes the breakers of `registry` as the public metrics listed in metric-definitions.ts.
 * Every instrument is observable and one batch callback walks the registry once per collection,
 * reading the breakers' own counters: a call through a breaker does no telemetry work at all.
 * Returns a function that stops them: it removes the callback (the instruments then report nothing).
 */
export function startBreakerMetrics(
  registry: BreakerRegistry,
  options: BreakerMetricsOptions = {},
): () => void {
  const provider = options.meterProvider ?? metrics.getMeterProvider();
  const meter = provider.getMeter(INSTRUMENTATION_SCOPE, PACKAGE_VERSION);
  const instruments = createInstruments(meter);
  const observables: Observable[] = Object.values(instruments);
  const observer = new BreakerObserver(registry, instruments, options.storeHealth);
  const callback: BatchObservableCallback = (result) => observer.observe(result);
  meter.addBatchObservableCallback(callback, observables);
  let running = true;
  return () => {
    if (!running) return;
    running = false;
    meter.removeBatchObservableCallback(callback, observables);
  };
}

function createInstruments(meter: Meter): BreakerInstruments {
  const create = (def: MetricDefinition): Observable => {
    const options = {
      unit: def.unit,
      description: def.description,
      valueType: def.integer ? ValueType.INT : ValueType.DOUBLE,
    };
    return def.kind === 'counter'
      ? meter.createObservableCounter(def.name, options)
      : meter.createObservableGauge(def.name, options);
  };
  return Object.fromEntries(
    Object.entries(METRIC_DEFINITIONS).map(([key, def]) => [key, create(def)]),
  ) as Record<MetricKey, Observable>;
}

/**
 * Views that raise the SDK's per-instrument series limit (2,000 by default) to what `maxBreakers`
 * can produce, so a large fleet of breakers never spills into the SDK's `otel.metric.overflow`
 * series: the state gauge alone has 5 series per breaker. Pass to `new MeterProvider({ views })`
 * or NodeSDK's `views`. Plain objects, so this module needs no SDK import.
 */
export function breakerMetricViews(maxBreakers: number): {
  meterName: string;
  instrumentName: string;
  aggregationCardinalityLimit: number;
}[] {
  // +1 for the overflow breaker, +1 for the SDK's own overflow series; 25 (from,to) pairs at most.
  const perBreaker: Record<MetricKey, number> = {
    state: 5,
    calls: 4,
    failures: 6,
    shadowRejections: 1,
    transitions: 25,
    failureRate: 1,
    slowCallRate: 1,
    failureRateThreshold: 1,
    slowCallRateThreshold: 1,
    minimumCalls: 1,
    openDuration: 1,
    timeUntilProbe: 1,
    storeErrors: 0,
    storeAvailable: 0,
    healthChecks: 2,
  };
  return (Object.keys(METRIC_DEFINITIONS) as MetricKey[])
    .filter((key) => perBreaker[key] > 0)
    .map((key) => ({
      meterName: INSTRUMENTATION_SCOPE,
      instrumentName: METRIC_DEFINITIONS[key].name,
      aggregationCardinalityLimit: Math.max(2000, perBreaker[key] * (maxBreakers + 1) + 1),
    }));
}

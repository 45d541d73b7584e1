import type { Attributes, BatchObservableResult, Observable } from '@opentelemetry/api';
import type { CircuitBreaker } from '../core/breaker.js';
import { BREAKER_STATES, type BreakerStateName } from '../core/state-names.js';
import type { BreakerRegistry } from '../registry/breaker-registry.js';
import type { StoreHealth } from '../store/state-store.js';
import type { FailureKind } from '../core/outcome.js';
import {
  ATTR_FAILURE_KIND,
  ATTR_FROM,
  ATTR_HEALTH_CHECK_RESULT,
  ATTR_NAME,
  ATTR_OUTCOME,
  ATTR_STATE,
  ATTR_STORE,
  ATTR_TO,
} from '../semconv.js';
import type { MetricKey } from './metric-definitions.js';

export type BreakerInstruments = Readonly<Record<MetricKey, Observable>>;

const STATE_COUNT = BREAKER_STATES.length;
const STATE_INDEX = new Map<BreakerStateName, number>(BREAKER_STATES.map((s, i) => [s, i]));

/**
 * Attribute objects of one breaker, built once and reused at every collection: a scrape over
 * thousands of breakers then allocates almost nothing. Never mutated after creation (the SDK keeps
 * references to them).
 */
class BreakerAttributes {
  readonly name: Attributes;
  readonly states: readonly Attributes[];
  readonly success: Attributes;
  readonly failure: Attributes;
  readonly ignored: Attributes;
  readonly rejected: Attributes;
  private transitionPairs: Attributes[] | undefined;
  private kinds: Map<FailureKind, Attributes> | undefined;
  private checkResults: readonly [Attributes, Attributes] | undefined;

  constructor(readonly breakerName: string) {
    this.name = { [ATTR_NAME]: breakerName };
    this.states = BREAKER_STATES.map((state) => ({
      [ATTR_NAME]: breakerName,
      [ATTR_STATE]: state,
    }));
    const outcome = (value: string): Attributes => ({
      [ATTR_NAME]: breakerName,
      [ATTR_OUTCOME]: value,
    });
    this.success = outcome('success');
    this.failure = outcome('failure');
    this.ignored = outcome('ignored');
    this.rejected = outcome('rejected');
  }

  failureKind(kind: FailureKind): Attributes {
    const kinds = (this.kinds ??= new Map());
    let attributes = kinds.get(kind);
    if (attributes === undefined) {
      attributes = { [ATTR_NAME]: this.breakerName, [ATTR_FAILURE_KIND]: kind };
      kinds.set(kind, attributes);
    }
    return attributes;
  }

  /** [passed, failed], for breakers with a health check only. */
  healthCheckResults(): readonly [Attributes, Attributes] {
    const result = (value: string): Attributes => ({
      [ATTR_NAME]: this.breakerName,
      [ATTR_HEALTH_CHECK_RESULT]: value,
    });
    return (this.checkResults ??= [result('passed'), result('failed')]);
  }

  transition(from: BreakerStateName, to: BreakerStateName): Attributes {
    const pairs = (this.transitionPairs ??= new Array<Attributes>(STATE_COUNT * STATE_COUNT));
    const i = STATE_INDEX.get(from)! * STATE_COUNT + STATE_INDEX.get(to)!;
    return (pairs[i] ??= { [ATTR_NAME]: this.breakerName, [ATTR_FROM]: from, [ATTR_TO]: to });
  }
}

/**
 * Reads every breaker of a registry once per collection and reports it to the batch observable
 * result. This is the only telemetry work there is: calls only bump the breakers' own counters.
 */
export class BreakerObserver {
  /** Breakers reported at the previous collection, by name (bounded by the registry's cap). */
  private reported = new Map<string, BreakerAttributes>();
  private storeAttributes: Attributes | undefined;

  constructor(
    private readonly registry: BreakerRegistry,
    private readonly instruments: BreakerInstruments,
    private readonly storeHealth: (() => StoreHealth | undefined) | undefined,
  ) {}

  observe(result: BatchObservableResult): void {
    const current = new Map<string, BreakerAttributes>();
    for (const breaker of this.registry.list()) {
      const attributes = this.reported.get(breaker.name) ?? new BreakerAttributes(breaker.name);
      current.set(breaker.name, attributes);
      this.observeBreaker(result, breaker, attributes);
    }
    for (const [name, attributes] of this.reported) {
      if (!current.has(name)) this.observeGone(result, attributes);
    }
    this.reported = current;
    this.observeStore(result);
  }

  private observeBreaker(
    result: BatchObservableResult,
    breaker: CircuitBreaker,
    a: BreakerAttributes,
  ): void {
    const i = this.instruments;
    // Reading currentState notices an elapsed open time (open → half_open), like any caller would.
    const state = STATE_INDEX.get(breaker.currentState)!;
    for (let s = 0; s < STATE_COUNT; s++) result.observe(i.state, s === state ? 1 : 0, a.states[s]);

    const c = breaker.counters;
    result.observe(i.calls, c.successes, a.success);
    result.observe(i.calls, c.failures, a.failure);
    result.observe(i.calls, c.ignored, a.ignored);
    result.observe(i.calls, c.rejected, a.rejected);
    breaker.failureKinds.forEach((kind, count) =>
      result.observe(i.failures, count, a.failureKind(kind)),
    );
    result.observe(i.shadowRejections, c.shadowRejections, a.name);
    breaker.transitions.forEach((from, to, count) =>
      result.observe(i.transitions, count, a.transition(from, to)),
    );
    const checks = breaker.checks;
    if (checks?.active === true) {
      const [passed, failed] = a.healthCheckResults();
      result.observe(i.healthChecks, checks.passed, passed);
      result.observe(i.healthChecks, checks.failed, failed);
    }

    // An empty window has rate 0 whatever the time; otherwise status() brings the window up to the
    // breaker's own clock first (the telemetry has no clock of its own to advance it with).
    if (breaker.window.totalCalls === 0) {
      result.observe(i.failureRate, 0, a.name);
      result.observe(i.slowCallRate, 0, a.name);
    } else {
      const status = breaker.status();
      result.observe(i.failureRate, status.failureRate, a.name);
      result.observe(i.slowCallRate, status.slowCallRate, a.name);
    }

    // The rule values, read from the policy: alerts divide the rates by the breaker's own threshold.
    const p = breaker.policy;
    result.observe(i.failureRateThreshold, p.failureRateThreshold, a.name);
    result.observe(i.slowCallRateThreshold, p.slowCallRateThreshold, a.name);
    result.observe(i.minimumCalls, p.minimumCalls, a.name);
    result.observe(i.openDuration, breaker.openDurationMs() / 1000, a.name);
    result.observe(i.timeUntilProbe, breaker.retryAfterMs() / 1000, a.name);
  }

  /**
   * A breaker that was evicted or removed since the last collection. The OTel spec says a series
   * not observed in a callback is no longer exported, but @opentelemetry/sdk-metrics (3.1, cumulative
   * temporality as Prometheus uses) keeps exporting its last value (open-telemetry/opentelemetry-js
   * #4096). Reporting 0 for every state once means a gone breaker counts in no state, whichever SDK
   * runs (and its thresholds read 0, "rule off", so no alert compares against them); with a
   * spec-conforming SDK the series then disappear at the next collection.
   */
  private observeGone(result: BatchObservableResult, a: BreakerAttributes): void {
    const i = this.instruments;
    for (let s = 0; s < STATE_COUNT; s++) result.observe(i.state, 0, a.states[s]);
    result.observe(i.failureRate, 0, a.name);
    result.observe(i.slowCallRate, 0, a.name);
    for (const gauge of [
      i.failureRateThreshold,
      i.slowCallRateThreshold,
      i.minimumCalls,
      i.openDuration,
      i.timeUntilProbe,
    ])
      result.observe(gauge, 0, a.name);
  }

  private observeStore(result: BatchObservableResult): void {
    if (this.storeHealth === undefined) return;
    let health: StoreHealth | undefined;
    try {
      health = this.storeHealth();
    } catch {
      // A store bug must not fail the whole collection; the breaker series are still worth having.
      return;
    }
    if (health === undefined) return;
    if (this.storeAttributes?.[ATTR_STORE] !== health.store)
      this.storeAttributes = { [ATTR_STORE]: health.store };
    result.observe(this.instruments.storeAvailable, health.available ? 1 : 0, this.storeAttributes);
    result.observe(this.instruments.storeErrors, health.errors, this.storeAttributes);
  }
}

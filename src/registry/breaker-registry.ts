import { CircuitBreaker, type SharedStateLink } from '../core/breaker.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { ErrorClassifier } from '../core/outcome.js';
import type { BreakerPolicy, PolicyOverrides } from '../core/policy.js';
import type { Transition, TransitionListener } from '../core/transition.js';
import type { RegistryLimits } from '../config/circuit-breaker-config.js';
import { REGISTRY_DEFAULTS } from '../config/defaults.js';
import { checkedPolicy, parseCodeArgs, registryArgs } from '../config/validate-code.js';

/** Name of the one breaker every name past `maxBreakers` shares; it is disabled (never rejects). */
export const OVERFLOW_BREAKER_NAME = '__overflow__';

export interface BreakerRegistryOptions {
  /** Applied to every breaker the registry creates (a preset and/or fields). */
  readonly defaults?: PolicyOverrides;
  /** Per-name overrides on top of `defaults`. */
  readonly overrides?: Readonly<Record<string, PolicyOverrides>>;
  /** Closed breakers unused for this long are dropped (lazily, no timer). Default 3600. */
  readonly idleEvictSeconds?: number;
  /** Hard cap on distinct breakers. Default 10,000. */
  readonly maxBreakers?: number;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly classify?: ErrorClassifier;
  /** @internal */
  readonly link?: SharedStateLink;
}

/**
 * Get-or-create breakers by name. Memory stays bounded: idle closed breakers are evicted when the
 * registry is touched, and past `maxBreakers` new names share one disabled overflow breaker
 * (calls pass and are measured under `__overflow__`; `overflowedNames` counts them) rather than
 * one unrelated name's failures opening a circuit for another.
 */
export class BreakerRegistry {
  private readonly breakers = new Map<string, CircuitBreaker>();
  private readonly defaults: PolicyOverrides;
  private readonly overrides: ReadonlyMap<string, PolicyOverrides>;
  private idleEvictMs: number;
  private maxBreakersValue: number;
  private readonly clock: Clock;
  private readonly random: (() => number) | undefined;
  private readonly classify: ErrorClassifier | undefined;
  private link: SharedStateLink | undefined;
  private readonly listeners: TransitionListener[] = [];
  private readonly basePolicy: BreakerPolicy;
  private lastSweepAt: number;
  private overflow: CircuitBreaker | undefined;
  /** Names refused a breaker of their own because the cap was reached. */
  overflowedNames = 0;
  /** Breakers dropped for being idle. */
  evicted = 0;
  /**
   * Changes whenever a breaker leaves the registry, so a holder of a breaker (the transports'
   * targets) can keep it and still never call one the registry no longer has.
   * @internal
   */
  generation = 0;

  constructor(options?: BreakerRegistryOptions) {
    // Without options there is nothing to check (and the process-wide registry, built on import,
    // does not load the schemas).
    if (options !== undefined)
      parseCodeArgs('new BreakerRegistry', registryArgs.options, { options });
    options ??= {};
    this.defaults = options.defaults ?? {};
    // A Map: a breaker named like an Object.prototype member must not find an inherited value.
    this.overrides = new Map(Object.entries(options.overrides ?? {}));
    this.idleEvictMs = (options.idleEvictSeconds ?? REGISTRY_DEFAULTS.idleEvictSeconds) * 1000;
    this.maxBreakersValue = options.maxBreakers ?? REGISTRY_DEFAULTS.maxBreakers;
    this.clock = options.clock ?? systemClock;
    this.random = options.random;
    this.classify = options.classify;
    this.link = options.link;
    this.basePolicy = checkedPolicy('new BreakerRegistry', 'options.defaults', this.defaults);
    this.lastSweepAt = this.clock.now();
  }

  /**
   * The breaker for `name`, created on first use. `overrides` apply only when it is created; they
   * and the name are validated then (a ConfigError names the bad field), never on a lookup.
   */
  get(name: string, overrides?: PolicyOverrides): CircuitBreaker {
    const existing = this.breakers.get(name);
    if (existing !== undefined) return existing;
    return this.create(name, overrides);
  }

  /** The breaker for `name` if it exists; never creates one. */
  peek(name: string): CircuitBreaker | undefined {
    return this.breakers.get(name);
  }

  has(name: string): boolean {
    return this.breakers.has(name);
  }

  /** Distinct breakers at most (see `setLimits`). */
  get maxBreakers(): number {
    return this.maxBreakersValue;
  }

  /** Seconds a closed breaker may stay unused before it is dropped (see `setLimits`). */
  get idleEvictSeconds(): number {
    return this.idleEvictMs / 1000;
  }

  /**
   * Applies configured limits (the instrumentation does this with `registry.*` of its config, so
   * the process-wide registry honours them). Breakers that exist stay; a lower cap applies to new names.
   */
  setLimits(limits: RegistryLimits): void {
    parseCodeArgs('BreakerRegistry.setLimits', registryArgs.limits, { limits });
    if (limits.maxBreakers !== undefined) this.maxBreakersValue = limits.maxBreakers;
    if (limits.idleEvictSeconds !== undefined) this.idleEvictMs = limits.idleEvictSeconds * 1000;
  }

  get size(): number {
    return this.breakers.size;
  }

  list(): CircuitBreaker[] {
    this.sweepIfDue();
    const all = [...this.breakers.values()];
    if (this.overflow !== undefined) all.push(this.overflow);
    return all;
  }

  /** Breakers currently rejecting calls (open or forced open). */
  listOpen(): CircuitBreaker[] {
    return this.list().filter((b) => {
      const s = b.currentState;
      return s === 'open' || s === 'forced_open';
    });
  }

  resetAll(): void {
    for (const b of this.breakers.values()) if (b.currentState !== 'closed') b.reset();
  }

  /** Drops a breaker (e.g. when its config goes away). */
  remove(name: string): boolean {
    if (!this.breakers.delete(name)) return false;
    this.generation++;
    return true;
  }

  /** Listens to transitions of every breaker, present and future. Returns an unsubscribe function. */
  onTransition(listener: TransitionListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Connects every breaker, present and future, to a shared store. @internal */
  setLink(link: SharedStateLink | undefined): void {
    this.link = link;
    for (const b of this.breakers.values()) b.setLink(link);
  }

  /** Evicts closed breakers idle for longer than `idleEvictSeconds`. Returns how many went. */
  evictIdle(): number {
    const now = this.clock.now();
    this.lastSweepAt = now;
    let dropped = 0;
    for (const [name, b] of this.breakers) {
      if (now - b.lastUsedAt >= this.idleEvictMs && b.currentState === 'closed') {
        this.breakers.delete(name);
        dropped++;
      }
    }
    this.evicted += dropped;
    if (dropped > 0) this.generation++;
    return dropped;
  }

  private sweepIfDue(): void {
    // Sweeping is O(n); do it at most every tenth of the idle time (and at most once a minute).
    const interval = Math.min(this.idleEvictMs / 10, 60_000);
    if (this.clock.now() - this.lastSweepAt >= interval) this.evictIdle();
  }

  private create(name: string, overrides: PolicyOverrides | undefined): CircuitBreaker {
    parseCodeArgs('breakers.get', registryArgs.get, { name, overrides });
    this.sweepIfDue();
    if (this.breakers.size >= this.maxBreakersValue && this.evictIdle() === 0) {
      this.overflowedNames++;
      return (this.overflow ??= this.createOverflow());
    }
    const configured = this.overrides.get(name);
    const policy =
      configured === undefined && overrides === undefined
        ? this.basePolicy
        : checkedPolicy('breakers.get', 'overrides', {
            ...this.defaults,
            ...configured,
            ...overrides,
          });
    const breaker = new CircuitBreaker({
      name,
      policy,
      clock: this.clock,
      random: this.random,
      classify: this.classify,
      link: this.link,
    });
    breaker.onTransition(this.fanOut);
    this.breakers.set(name, breaker);
    return breaker;
  }

  private createOverflow(): CircuitBreaker {
    const breaker = new CircuitBreaker({
      name: OVERFLOW_BREAKER_NAME,
      policy: this.basePolicy,
      clock: this.clock,
    });
    breaker.disable();
    return breaker;
  }

  private readonly fanOut = (transition: Transition): void => {
    for (const listener of this.listeners) {
      try {
        listener(transition);
      } catch {
        // Listener bugs never reach the call path.
      }
    }
  };
}

/** The process-wide registry used by `breakers.get(...)` and the auto-instrumentation. */
export const breakers = new BreakerRegistry();

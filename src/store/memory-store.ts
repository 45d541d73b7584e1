// On first use: crypto loads with the first permit or the first read of the instance id.
import { randomUUID } from 'node:crypto';
import type { BreakerStateName } from '../core/state-names.js';
import {
  INITIAL_SHARED_STATE,
  type FleetChanges,
  type FlushRequest,
  type FlushResult,
  type SharedState,
  type SharedStateListener,
  type StateStore,
  type StoreHealth,
  type TransitionRequest,
  type TransitionResult,
  type WindowTotals,
} from './state-store.js';

interface StoredBreaker {
  state: BreakerStateName;
  epoch: number;
  openUntil: number;
  reason: string;
  origin: string;
  /** slot -> [calls, failures, slow] */
  window: Map<number, [number, number, number]>;
  /** token -> expiry */
  permits: Map<string, number>;
}

/**
 * The data behind MemoryStore. One per process by default; several MemoryStore clients may share
 * one backend (tests use that to model instances of a fleet inside one process).
 */
export class MemoryBackend {
  readonly breakers = new Map<string, StoredBreaker>();
  readonly listeners = new Set<SharedStateListener>();
  /** Committed transitions so far, and the count at each breaker's latest one (the change log). */
  changeCount = 0;
  readonly changedAt = new Map<string, number>();
  constructor(readonly now: () => number = Date.now) {}
}

export interface MemoryStoreOptions {
  readonly backend?: MemoryBackend;
  readonly instanceId?: string;
}

/**
 * The default store: state is local to the process (nothing is shared across processes). Same
 * semantics as RedisStore (compare-and-set on the epoch, fleet-wide window, permits), so one
 * conformance suite covers both.
 */
export class MemoryStore implements StateStore {
  readonly kind = 'memory' as const;
  private readonly backend: MemoryBackend;
  private readonly own = new Set<SharedStateListener>();
  /** backend.changeCount at this client's last committed look; undefined before the first. */
  private seen: number | undefined;

  private id: string | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    this.backend = options.backend ?? new MemoryBackend();
    this.id = options.instanceId;
  }

  /** Given, or random on first read (crypto loads then, not with the process). */
  get instanceId(): string {
    return (this.id ??= randomUUID());
  }

  health(): StoreHealth {
    return { available: true, errors: 0, store: 'memory' };
  }

  read(name: string): Promise<SharedState> {
    const b = this.backend.breakers.get(name);
    return Promise.resolve(b === undefined ? INITIAL_SHARED_STATE : this.view(b));
  }

  transition(name: string, request: TransitionRequest): Promise<TransitionResult> {
    const b = this.backend.breakers.get(name);
    const epoch = b?.epoch ?? 0;
    if (epoch !== request.expectedEpoch) {
      return Promise.resolve({
        committed: false,
        current: b === undefined ? INITIAL_SHARED_STATE : this.view(b),
      });
    }
    const openMs = request.state === 'open' ? Math.max(0, Math.round(request.openMs ?? 0)) : 0;
    const next = this.commit(name, b, request.state, openMs, request.reason);
    return Promise.resolve({ committed: true, current: next });
  }

  flush(name: string, r: FlushRequest): Promise<FlushResult> {
    const now = this.backend.now();
    let b = this.backend.breakers.get(name);
    if (b === undefined) {
      b = blank();
      this.backend.breakers.set(name, b);
    }
    const bucketMs = Math.max(1, Math.floor(r.windowMs / r.windowBuckets));
    const slot = Math.floor(now / bucketMs);
    const bucket = b.window.get(slot) ?? [0, 0, 0];
    bucket[0] += r.calls;
    bucket[1] += r.failures;
    bucket[2] += r.slowCalls;
    b.window.set(slot, bucket);
    let c = 0;
    let f = 0;
    let s = 0;
    for (const [k, v] of b.window) {
      if (k <= slot - r.windowBuckets) b.window.delete(k);
      else {
        c += v[0];
        f += v[1];
        s += v[2];
      }
    }
    let trip: string | undefined;
    if (b.state === 'closed' && c > 0 && c >= r.minimumCalls) {
      if (r.failureRateThreshold > 0 && f / c >= r.failureRateThreshold)
        trip = 'fleet_failure_rate';
      else if (r.slowCallRateThreshold > 0 && s / c >= r.slowCallRateThreshold)
        trip = 'fleet_slow_call_rate';
    }
    if (trip === undefined) {
      return Promise.resolve({
        tripped: false,
        calls: c,
        failures: f,
        slowCalls: s,
        current: this.view(b),
      });
    }
    const current = this.commit(name, b, 'open', Math.max(0, Math.round(r.openMs)), trip);
    return Promise.resolve({ tripped: true, calls: c, failures: f, slowCalls: s, current });
  }

  changes(): Promise<FleetChanges> {
    const { changedAt } = this.backend;
    const seen = this.seen;
    const count = this.backend.changeCount;
    return Promise.resolve({
      changed: (name) => seen === undefined || (changedAt.get(name) ?? 0) > seen,
      commit: () => {
        this.seen = count;
      },
    });
  }

  acquirePermit(name: string, maxCalls: number, ttlMs: number): Promise<string | null> {
    const now = this.backend.now();
    let b = this.backend.breakers.get(name);
    if (b === undefined) {
      b = blank();
      this.backend.breakers.set(name, b);
    }
    for (const [token, expiry] of b.permits) if (expiry <= now) b.permits.delete(token);
    if (b.permits.size >= maxCalls) return Promise.resolve(null);
    const token = `${this.instanceId}:${randomUUID()}`;
    b.permits.set(token, now + Math.max(1, Math.round(ttlMs)));
    return Promise.resolve(token);
  }

  releasePermit(name: string, token: string): Promise<void> {
    this.backend.breakers.get(name)?.permits.delete(token);
    return Promise.resolve();
  }

  permitCount(name: string): Promise<number> {
    const b = this.backend.breakers.get(name);
    if (b === undefined) return Promise.resolve(0);
    const now = this.backend.now();
    let n = 0;
    for (const expiry of b.permits.values()) if (expiry > now) n++;
    return Promise.resolve(n);
  }

  listNames(): Promise<string[]> {
    const names: string[] = [];
    // As in Redis: a record is a committed state or a window; permits alone leave none.
    for (const [name, b] of this.backend.breakers)
      if (b.epoch > 0 || b.window.size > 0) names.push(name);
    return Promise.resolve(names.sort());
  }

  windowTotals(name: string): Promise<WindowTotals> {
    let calls = 0;
    let failures = 0;
    for (const [c, f] of this.backend.breakers.get(name)?.window.values() ?? []) {
      calls += c;
      failures += f;
    }
    return Promise.resolve({ calls, failures });
  }

  subscribe(listener: SharedStateListener): () => void {
    this.backend.listeners.add(listener);
    this.own.add(listener);
    return () => {
      this.backend.listeners.delete(listener);
      this.own.delete(listener);
    };
  }

  watch(): void {
    // One backend delivers every breaker's transitions.
  }

  onReconnect(): () => void {
    // Memory never disconnects.
    return () => {};
  }

  close(): Promise<void> {
    for (const l of this.own) this.backend.listeners.delete(l);
    this.own.clear();
    return Promise.resolve();
  }

  private commit(
    name: string,
    existing: StoredBreaker | undefined,
    state: BreakerStateName,
    openMs: number,
    reason: string,
  ): SharedState {
    const b = existing ?? blank();
    this.backend.breakers.set(name, b);
    b.state = state;
    b.epoch++;
    b.openUntil = this.backend.now() + openMs;
    b.reason = reason;
    b.origin = this.instanceId;
    b.window.clear();
    b.permits.clear();
    this.backend.changedAt.set(name, ++this.backend.changeCount);
    const current: SharedState = {
      state,
      epoch: b.epoch,
      openRemainingMs: openMs,
      reason,
      origin: this.instanceId,
    };
    // Delivered asynchronously, like a pub/sub message, so no listener runs inside the caller's transition.
    for (const listener of this.backend.listeners) {
      queueMicrotask(() => {
        try {
          listener({ name, ...current });
        } catch {
          // Listener bugs stay in the listener.
        }
      });
    }
    return current;
  }

  private view(b: StoredBreaker): SharedState {
    return {
      state: b.state,
      epoch: b.epoch,
      openRemainingMs: Math.max(0, b.openUntil - this.backend.now()),
      ...(b.reason ? { reason: b.reason } : {}),
      ...(b.origin ? { origin: b.origin } : {}),
    };
  }
}

function blank(): StoredBreaker {
  return {
    state: 'closed',
    epoch: 0,
    openUntil: 0,
    reason: '',
    origin: '',
    window: new Map(),
    permits: new Map(),
  };
}

import type { BreakerStateName } from '../core/state-names.js';

/**
 * The fleet's view of one breaker, as a store holds it. `epoch` is the fleet epoch: it is ordered
 * by the store (every committed transition is a compare-and-set on it), independent of the local
 * breaker's own epoch, which also counts transitions that stay local.
 */
export interface SharedState {
  readonly state: BreakerStateName;
  readonly epoch: number;
  /** For `open`: milliseconds left, by the store's clock (0 once elapsed: the breaker probes). */
  readonly openRemainingMs: number;
  /** Why the last committed transition happened (a TransitionReason, or `fleet_failure_rate`...). */
  readonly reason?: string;
  /** Instance that committed it; lets an instance ignore echoes of its own transitions. */
  readonly origin?: string;
}

/** A breaker's state before anything was ever committed: closed at fleet epoch 0. */
export const INITIAL_SHARED_STATE: SharedState = { state: 'closed', epoch: 0, openRemainingMs: 0 };

/** A proposed transition: commits only if the stored epoch still equals `expectedEpoch`. */
export interface TransitionRequest {
  readonly expectedEpoch: number;
  readonly state: BreakerStateName;
  /** For `open`: how long it stays open, from the store's clock. */
  readonly openMs?: number;
  readonly reason: string;
}

export interface TransitionResult {
  /** True when this request was committed (and published). */
  readonly committed: boolean;
  /** The stored state after the call: the new one when committed, the winner's otherwise. */
  readonly current: SharedState;
}

/** Local outcome counts since the last flush, and the rules to judge the fleet-wide window with. */
export interface FlushRequest {
  readonly calls: number;
  readonly failures: number;
  readonly slowCalls: number;
  readonly windowMs: number;
  readonly windowBuckets: number;
  readonly minimumCalls: number;
  /** 0 turns the rule off. */
  readonly failureRateThreshold: number;
  /** 0 turns the rule off. */
  readonly slowCallRateThreshold: number;
  /** Open time used if this flush trips the fleet (jitter already applied by the caller). */
  readonly openMs: number;
}

export interface FlushResult {
  /** True when this flush tripped the fleet-wide circuit. */
  readonly tripped: boolean;
  /** Fleet-wide totals over the window, this flush included. */
  readonly calls: number;
  readonly failures: number;
  readonly slowCalls: number;
  readonly current: SharedState;
}

/** Fleet-wide counts of one breaker's shared window. */
export interface WindowTotals {
  readonly calls: number;
  readonly failures: number;
}

/** What the metrics helper reads through its `storeHealth()` callback. */
export interface StoreHealth {
  readonly available: boolean;
  /** Store calls that failed or timed out since start (monotonic). */
  readonly errors: number;
  readonly store: 'redis' | 'memory';
}

/** A committed transition delivered to subscribers. */
export interface SharedStateMessage extends SharedState {
  readonly name: string;
}

export type SharedStateListener = (message: SharedStateMessage) => void;

/**
 * What may have changed in the fleet since a store client's last committed look (`changes()`):
 * the resync reads only those breakers instead of every one it tracks.
 */
export interface FleetChanges {
  /** True when `name`'s stored state may differ from what this client read at its last look. */
  changed(name: string): boolean;
  /** Records this look as applied (call once every changed breaker was read): the next look starts here. */
  commit(): void;
}

/** One line for operators; emitted once per availability change, never per call. */
export interface StoreLogEvent {
  readonly event: 'store.unavailable' | 'store.available' | 'store.connected';
  readonly store: 'redis' | 'memory';
  readonly message: string;
  readonly error?: string;
}

/**
 * Where breakers share their state. Every method resolves (never rejects) within the store's
 * timeout: on a failure it resolves to `undefined` and counts the error in `health()`, so a caller
 * on the request path can always fall back to local state.
 */
export interface StateStore {
  readonly kind: 'redis' | 'memory';
  /** The stored state of a breaker (INITIAL_SHARED_STATE when none), or undefined if unreachable. */
  read(name: string): Promise<SharedState | undefined>;
  /** Compare-and-set on the fleet epoch; publishes the transition when committed. */
  transition(name: string, request: TransitionRequest): Promise<TransitionResult | undefined>;
  /** Adds local outcome counts to the shared window and trips the fleet when it crosses a threshold. */
  flush(name: string, request: FlushRequest): Promise<FlushResult | undefined>;
  /** A fleet-wide half-open probe permit: a token, or null when the budget is used up or the store is unreachable. */
  acquirePermit(name: string, maxCalls: number, ttlMs: number): Promise<string | null>;
  /** Releases only this token's permit. */
  releasePermit(name: string, token: string): Promise<void>;
  /** Permits currently held (expired ones excluded); for tests and status. */
  permitCount(name: string): Promise<number | undefined>;
  /**
   * Names of every breaker the store has a record of (a committed state or counts in a window),
   * sorted. For fleet control and the CLI, never the call path: bounded by `timeoutMs` (default
   * 5 s); undefined when the store cannot be read.
   */
  listNames(timeoutMs?: number): Promise<string[] | undefined>;
  /**
   * Fleet-wide calls and failures in a breaker's shared window, as of the last flush of any
   * instance; undefined when the store cannot be read.
   */
  windowTotals(name: string): Promise<WindowTotals | undefined>;
  /**
   * Which breakers changed since this client's last committed look: O(1) store work when nothing
   * did, whatever the number of breakers. The first look (and the first after a reconnect, when
   * data may have been lost) reports every breaker. Undefined when the store is unreachable.
   */
  changes(): Promise<FleetChanges | undefined>;
  /** Receives every committed transition of the breakers being watched. */
  subscribe(listener: SharedStateListener): () => void;
  /** Starts receiving a breaker's transitions (a no-op where one subscription covers all). */
  watch(name: string): void;
  /** Called when the store reconnects after being unavailable (subscriber included): resync then. */
  onReconnect(listener: () => void): () => void;
  health(): StoreHealth;
  close(): Promise<void>;
}

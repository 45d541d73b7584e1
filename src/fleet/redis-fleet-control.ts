import type { FleetBreakerView, FleetControl } from './fleet-control.js';
import type { CircuitBreaker } from '../core/breaker.js';
import type { BreakerStateName } from '../core/state-names.js';
import type { SharedStateSync } from './shared-state-sync.js';
import type { SharedState, StateStore } from '../store/state-store.js';

/** What fleet control needs from a store: the compare-and-set, plus listing and window totals. */
export type FleetStore = Pick<StateStore, 'read' | 'transition' | 'listNames' | 'windowTotals'>;

export interface RedisFleetControlOptions {
  /**
   * This instance's link to the store. When given, a committed change is applied to this
   * instance's breaker of that name before the call resolves (the FleetControl contract), and
   * its breakers count as known names. The CLI has none: other instances follow by pub/sub.
   */
  readonly sync?: SharedStateSync;
  /** Compare-and-set attempts when other instances commit in between. Default 5. */
  readonly attempts?: number;
}

/** `code` of FleetUnavailableError. */
export const FLEET_UNAVAILABLE_CODE = 'EFLEETUNAVAILABLE';

/** Raised when the store cannot be read or written; the admin endpoint answers 503, the CLI exits 2. */
export class FleetUnavailableError extends Error {
  override readonly name = 'FleetUnavailableError';
  readonly code: typeof FLEET_UNAVAILABLE_CODE = FLEET_UNAVAILABLE_CODE;
  constructor(message = 'the shared store could not be reached') {
    super(message);
  }
}

interface Change {
  readonly state: BreakerStateName;
  readonly reason: string;
}

/**
 * Fleet-wide control of breakers through the shared store (admin endpoint and CLI): every change is one
 * compare-and-set transition on the breaker's fleet epoch, published by the store's script, so
 * every instance applies it at once (and a missed message is caught by the next resync).
 */
export class RedisFleetControl implements FleetControl {
  private readonly attempts: number;

  constructor(
    private readonly store: FleetStore,
    private readonly options: RedisFleetControlOptions = {},
  ) {
    this.attempts = options.attempts ?? 5;
  }

  reset(name: string): Promise<boolean> {
    return this.change(
      name,
      () => ({ state: 'closed', reason: 'reset' }),
      (b) => b.reset(),
    );
  }

  forceOpen(name: string): Promise<boolean> {
    return this.change(
      name,
      () => ({ state: 'forced_open', reason: 'forced_open' }),
      (b) => b.forceOpen(),
    );
  }

  disable(name: string): Promise<boolean> {
    return this.change(
      name,
      () => ({ state: 'disabled', reason: 'disabled' }),
      (b) => b.disable(),
    );
  }

  /** Back from `disabled` to `closed`; any other fleet state is left as it is. */
  enable(name: string): Promise<boolean> {
    return this.change(
      name,
      (current) =>
        current.state === 'disabled' ? { state: 'closed', reason: 'enabled' } : undefined,
      (b) => {
        if (b.currentState === 'disabled') b.reset();
      },
    );
  }

  /** The fleet's record of every breaker the store knows, plus this instance's own breakers. */
  async list(): Promise<FleetBreakerView[]> {
    const stored = await this.store.listNames();
    if (stored === undefined) throw new FleetUnavailableError();
    const names = new Set(stored);
    for (const b of this.options.sync?.attachedRegistry?.list() ?? []) names.add(b.name);
    const views = await Promise.all([...names].map((name) => this.view(name)));
    return views.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  // ---- internals -------------------------------------------------------------------------

  private async view(name: string): Promise<FleetBreakerView> {
    const [s, totals] = await Promise.all([this.store.read(name), this.store.windowTotals(name)]);
    if (s === undefined) throw new FleetUnavailableError();
    return {
      name,
      state: s.state,
      epoch: s.epoch,
      ...(s.state === 'open' ? { openRemainingMs: s.openRemainingMs } : {}),
      ...(s.reason !== undefined ? { reason: s.reason } : {}),
      ...(s.origin !== undefined ? { origin: s.origin } : {}),
      ...(totals !== undefined
        ? { callsInWindow: totals.calls, failuresInWindow: totals.failures }
        : {}),
    };
  }

  /** A name is known when the fleet committed anything for it, counted calls for it, or this instance has it. */
  private async known(name: string, current: SharedState): Promise<boolean> {
    if (current.epoch > 0) return true;
    if (this.options.sync?.attachedRegistry?.peek(name) !== undefined) return true;
    const totals = await this.store.windowTotals(name);
    if (totals === undefined) throw new FleetUnavailableError();
    return totals.calls > 0;
  }

  private async change(
    name: string,
    plan: (current: SharedState) => Change | undefined,
    local: (breaker: CircuitBreaker) => void,
  ): Promise<boolean> {
    for (let attempt = 0; attempt < this.attempts; attempt++) {
      const current = await this.store.read(name);
      if (current === undefined) throw new FleetUnavailableError();
      if (!(await this.known(name, current))) return false;
      const target = plan(current);
      if (target === undefined) {
        // Nothing to commit for the fleet; this instance may still need it (e.g. disabled while cut off).
        this.options.sync?.adopt(name, current, local);
        return true;
      }
      const r = await this.store.transition(name, { expectedEpoch: current.epoch, ...target });
      if (r === undefined) throw new FleetUnavailableError();
      if (r.committed) {
        this.options.sync?.adopt(name, r.current, local);
        return true;
      }
      // Another instance committed in between: decide again on the state it left.
    }
    throw new FleetUnavailableError('the breaker kept changing while the change was tried');
  }
}

import type { BreakerSnapshot } from '../core/breaker-snapshot.js';
import type { CircuitBreaker } from '../core/breaker.js';
import { OVERFLOW_BREAKER_NAME, type BreakerRegistry } from '../registry/breaker-registry.js';
import type { FleetBreakerView, FleetControl } from '../fleet/fleet-control.js';

/** One breaker of this instance, with the fleet's record of it when a fleet is configured. */
export interface AdminBreakerView extends BreakerSnapshot {
  readonly fleet?: FleetBreakerView;
}

/** Body of `GET /circuit-breakers` and of every `snapshot` server-sent event. */
export interface AdminSnapshot {
  /** ISO time the snapshot was taken. */
  readonly generatedAt: string;
  /** `fleet` when the endpoint has a shared store behind it (changes apply to every instance). */
  readonly scope: 'local' | 'fleet';
  /** This instance's breakers, open ones first, then by name. */
  readonly breakers: AdminBreakerView[];
  /** Breakers the fleet knows that this instance has not created (always empty for `local`). */
  readonly fleetOnly: FleetBreakerView[];
  /** Set when the fleet could not be read; `breakers` then holds local state only. */
  readonly fleetError?: string;
}

/** How long a read waits for the fleet before answering with local state only. */
export const FLEET_READ_TIMEOUT_MS = 2000;

const STATE_ORDER: Record<string, number> = {
  open: 0,
  forced_open: 1,
  half_open: 2,
  disabled: 3,
  closed: 4,
};

function byUrgencyThenName(a: { state: string; name: string }, b: typeof a): number {
  const d = (STATE_ORDER[a.state] ?? 9) - (STATE_ORDER[b.state] ?? 9);
  return d !== 0 ? d : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The breaker of this name in this instance, including the shared overflow breaker; never creates one. */
export function findBreaker(registry: BreakerRegistry, name: string): CircuitBreaker | undefined {
  const found = registry.peek(name);
  if (found !== undefined || name !== OVERFLOW_BREAKER_NAME) return found;
  return registry.list().find((b) => b.name === OVERFLOW_BREAKER_NAME);
}

/** Races a fleet promise against a timeout so a slow store never hangs an admin request. */
export function withFleetTimeout<T>(promise: Promise<T>, ms = FLEET_READ_TIMEOUT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`fleet did not answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Snapshot of every breaker; with a fleet, merged with the fleet's records. Never rejects. */
export async function takeSnapshot(
  registry: BreakerRegistry,
  fleet: FleetControl | undefined,
): Promise<AdminSnapshot> {
  let fleetViews: FleetBreakerView[] | undefined;
  let fleetError: string | undefined;
  if (fleet !== undefined) {
    try {
      fleetViews = await withFleetTimeout(Promise.resolve().then(() => fleet.list()));
    } catch {
      fleetError = 'the shared store could not be read; showing this instance only';
    }
  }
  // Read local state after the fleet answered, so it reflects anything the fleet just applied.
  const local = registry.list().map((b) => b.status());
  const byName = new Map((fleetViews ?? []).map((v) => [v.name, v]));
  const breakers: AdminBreakerView[] = local.map((status) => {
    const view = byName.get(status.name);
    byName.delete(status.name);
    return view === undefined ? status : { ...status, fleet: view };
  });
  breakers.sort(byUrgencyThenName);
  return {
    generatedAt: new Date().toISOString(),
    scope: fleet === undefined ? 'local' : 'fleet',
    breakers,
    fleetOnly: [...byName.values()].sort(byUrgencyThenName),
    ...(fleetError !== undefined ? { fleetError } : {}),
  };
}

import type { BreakerSnapshot } from '../core/breaker-snapshot.js';
import type { CircuitBreaker } from '../core/breaker.js';
import type { BreakerStateName } from '../core/state-names.js';
import type { BreakerRegistry } from '../registry/breaker-registry.js';
import type { AdminAction } from './admin-routes.js';
import { findBreaker, withFleetTimeout } from './admin-snapshot.js';
import type { FleetControl } from '../fleet/fleet-control.js';

/** Body of a successful `POST /circuit-breakers/:name/:action`. */
export interface AdminActionResult {
  readonly name: string;
  readonly action: AdminAction;
  /** `fleet` when the change went through the shared store to every instance. */
  readonly scope: 'local' | 'fleet';
  /** This instance's state before the change (null when it has no such breaker). */
  readonly previousState: BreakerStateName | null;
  /** This instance's status after the change (null when it has no such breaker). */
  readonly status: BreakerSnapshot | null;
}

export type ActionOutcome =
  | { readonly kind: 'done'; readonly result: AdminActionResult }
  | { readonly kind: 'not_found' }
  | { readonly kind: 'fleet_unavailable' };

function applyLocally(breaker: CircuitBreaker, action: AdminAction): void {
  switch (action) {
    case 'reset':
      breaker.reset();
      return;
    case 'open':
      breaker.forceOpen();
      return;
    case 'disable':
      breaker.disable();
      return;
    case 'enable':
      // Enabling only undoes `disable`: an open circuit stays open until it recovers or is reset.
      if (breaker.currentState === 'disabled') breaker.reset();
      return;
  }
}

function applyToFleet(fleet: FleetControl, name: string, action: AdminAction): Promise<boolean> {
  switch (action) {
    case 'reset':
      return fleet.reset(name);
    case 'open':
      return fleet.forceOpen(name);
    case 'disable':
      return fleet.disable(name);
    case 'enable':
      return fleet.enable(name);
  }
}

/**
 * Applies an (already authorised) change. Without a fleet it changes this instance's breaker;
 * with one, the fleet applies it everywhere, this instance included (see FleetControl).
 * Never creates a breaker: unknown names are `not_found`.
 */
export async function applyAdminAction(
  registry: BreakerRegistry,
  fleet: FleetControl | undefined,
  name: string,
  action: AdminAction,
): Promise<ActionOutcome> {
  const before = findBreaker(registry, name);
  const previousState = before?.currentState ?? null;
  if (fleet === undefined) {
    if (before === undefined) return { kind: 'not_found' };
    applyLocally(before, action);
  } else {
    let known: boolean;
    try {
      known = await withFleetTimeout(
        Promise.resolve().then(() => applyToFleet(fleet, name, action)),
      );
    } catch {
      return { kind: 'fleet_unavailable' };
    }
    if (!known && before === undefined) return { kind: 'not_found' };
  }
  const after = findBreaker(registry, name);
  return {
    kind: 'done',
    result: {
      name,
      action,
      scope: fleet === undefined ? 'local' : 'fleet',
      previousState,
      status: after?.status() ?? null,
    },
  };
}

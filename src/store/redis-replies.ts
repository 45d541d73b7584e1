import { BREAKER_STATES, type BreakerStateName } from '../core/state-names.js';
import type { SharedState } from './state-store.js';

const STATES: ReadonlySet<string> = new Set<string>(BREAKER_STATES);

/**
 * A stored breaker state from script reply fields or a published message (`state|epoch|remaining|
 * reason|origin`). Anything that is not a state reads as closed: a reply never becomes a state the
 * core does not know.
 */
export function toSharedState(
  state: unknown,
  epoch: unknown,
  remaining: unknown,
  reason: unknown,
  origin: unknown,
): SharedState {
  const s = String(state);
  return {
    state: (STATES.has(s) ? s : 'closed') as BreakerStateName,
    epoch: Number(epoch) || 0,
    openRemainingMs: Math.max(0, Number(remaining) || 0),
    ...(reason ? { reason: String(reason) } : {}),
    ...(origin ? { origin: String(origin) } : {}),
  };
}

/** Redis's answers to a wrong or missing password (`AUTH`, `HELLO`, or a command before either). */
export function isAuthError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /^(WRONGPASS|NOAUTH)\b|invalid password|invalid username-password/i.test(message);
}

import type { Classification } from './outcome.js';
import { openDurationMs, type BreakerPolicy } from './policy.js';
import type { StateRecord } from './state-record.js';

// How long a breaker stays open when the target says how long to wait, and how long is left of an
// open time. Pure arithmetic: the breaker reads the clock and passes the times in. (The open time
// a breaker picks by itself, with back-off and jitter, is openDurationMs in policy.ts.)

/** How much earlier than a server-given Retry-After the open time ends (see serverRequestedOpenMs). */
export const SERVER_WAIT_SLACK_MS = 10;

/**
 * Open for as long as the target said, when it said: an exhausted quota for quotaOpenSeconds
 * (uncapped), a Retry-After for exactly that long (capped) when honorRetryAfter is on. `undefined`
 * when the outcome carries no such request (or the policy ignores it).
 */
export function serverRequestedOpenMs(
  policy: BreakerPolicy,
  c: Classification,
): number | undefined {
  if (c.kind === 'quota') return policy.quotaOpenSeconds * 1000;
  if (c.retryAfterMs === undefined || c.retryAfterMs <= 0 || !policy.honorRetryAfter)
    return undefined;
  // Timers fire up to a few ms early against the monotonic clock, so a client that waits exactly
  // the server's Retry-After must find the probe open: the open time ends a little early
  // (SERVER_WAIT_SLACK_MS, or 1% of a very short wait).
  const openMs = c.retryAfterMs - Math.min(SERVER_WAIT_SLACK_MS, c.retryAfterMs / 100);
  return Math.min(openMs, policy.maxOpenSeconds * 1000);
}

/** Milliseconds left of an open time ending at `openUntil` (monotonic), never negative. */
export function remainingOpenMs(openUntil: number, now: number): number {
  return Math.max(0, openUntil - now);
}

/**
 * The open time that describes a breaker now: while open, the length of the current open period
 * (whatever chose it: back-off, jitter, a server's Retry-After or a shared store); in any other
 * state, the open time a trip by the breaker's rules would start now, before jitter: with back-off
 * in half_open (a failed probe re-opens for longer), the first one otherwise.
 */
export function currentOpenMs(
  state: StateRecord,
  policy: BreakerPolicy,
  reopenCount: number,
): number {
  if (state.kind === 'open') return state.openUntil - state.openedAt;
  const nextReopen = state.kind === 'half_open' ? reopenCount + 1 : 0;
  return openDurationMs(policy, nextReopen, NO_JITTER);
}

/** A random source that always draws 0: the open time before jitter shortens it. */
const NO_JITTER = (): number => 0;

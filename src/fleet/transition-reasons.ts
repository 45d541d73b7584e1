import type { TransitionReason } from '../core/transition.js';

/** Local trips: decided on this instance's own counts. They reach the fleet only through a flush. */
export const LOCAL_TRIPS: ReadonlySet<TransitionReason> = new Set<TransitionReason>([
  'consecutive_failures',
  'failure_rate',
  'slow_call_rate',
]);

/** Decided by people or by the server (Retry-After): the whole fleet follows at once. */
export const FLEET_WIDE: ReadonlySet<TransitionReason> = new Set<TransitionReason>([
  'forced_open',
  'disabled',
  'reset',
  'retry_after',
  'quota_exhausted',
]);

/** Ends of a half-open probe: pushed when the fleet circuit is the one being probed. */
export const PROBE_RESULTS: ReadonlySet<TransitionReason> = new Set<TransitionReason>([
  'probe_succeeded',
  'probe_failed',
  'probe_timed_out',
]);

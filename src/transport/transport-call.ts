import type { HeaderSource } from '../core/retry-after.js';
import type { Clock } from '../core/clock.js';
import type { Permit } from '../core/permit.js';
import { settleError, settleResponse } from './transport-call-outcome.js';
import type { OriginTarget } from './targets/origin-cache.js';

/**
 * One admitted transport (fetch/undici/http) call, as AgentCall is one admitted SDK call: what
 * settling it reads and writes, held by each transport's own observer class. A call settles its
 * permit exactly once, with the outcome transport-call-outcome.ts judges: at response headers, or
 * at the first error. The clock starts when the call is admitted, so the duration is time to first
 * byte of the response. Time is the breaker's clock, by default the process's coarse clock (10 ms
 * resolution), as for `execute()`: two precise reads would cost more than the rest of the
 * bookkeeping, and slow-call thresholds are seconds, not milliseconds.
 */
export interface CallState {
  readonly entry: OriginTarget;
  readonly permit: Permit;
  readonly clock: Clock;
  readonly startedAt: number;
  settled: boolean;
}

/** Settles `call` with a response status, unless it is settled already. */
export function settleCallResponse(
  call: CallState,
  status: number,
  headers: HeaderSource | undefined,
): void {
  if (call.settled) return;
  call.settled = true;
  settleResponse(call.entry, call.permit, status, headers, call.clock.now() - call.startedAt);
}

/** Settles `call` with an error, unless it is settled already. */
export function settleCallError(call: CallState, error: unknown, callerAborted: boolean): void {
  if (call.settled) return;
  call.settled = true;
  settleError(call.entry, call.permit, error, call.clock.now() - call.startedAt, callerAborted);
}

import type { HeaderSource } from '../core/retry-after.js';
import type { Clock } from '../core/clock.js';
import type { Permit } from '../core/permit.js';
import { settleError, settleResponse } from './transport-call-outcome.js';
import type { OriginTarget } from './targets/origin-cache.js';

/**
 * One admitted transport (fetch/undici/http) call, as AgentCall is one admitted SDK call. Settles
 * its permit exactly once, with the outcome transport-call-outcome.ts judges: at response headers, or at the first error. The clock
 * starts when the call is admitted, so the duration is time to first byte of the response. Time is
 * the breaker's clock, by default the process's coarse clock (10 ms resolution), as for
 * `execute()`: two precise reads would cost more than the rest of the bookkeeping, and slow-call
 * thresholds are seconds, not milliseconds.
 */
export class TransportCall implements CallState {
  settled = false;
  readonly startedAt: number;

  constructor(
    readonly entry: OriginTarget,
    readonly permit: Permit,
    readonly clock: Clock,
  ) {
    this.startedAt = clock.now();
  }

  response(status: number, headers: HeaderSource | undefined): void {
    settleCallResponse(this, status, headers);
  }

  error(error: unknown, callerAborted: boolean): void {
    settleCallError(this, error, callerAborted);
  }

  /** The call ended without an outcome worth counting (e.g. abandoned before any answer). */
  ignore(): void {
    if (this.settled) return;
    this.settled = true;
    this.permit.recordIgnored();
  }
}

/**
 * What settling a call reads and writes: TransportCall's fields, also held by classes that cannot
 * extend it (the undici observers, see observing-handlers.ts).
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

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
export class TransportCall {
  private settled = false;
  private readonly startedAt: number;

  constructor(
    readonly entry: OriginTarget,
    private readonly permit: Permit,
    private readonly clock: Clock,
  ) {
    this.startedAt = clock.now();
  }

  response(status: number, headers: HeaderSource | undefined): void {
    if (this.settled) return;
    this.settled = true;
    settleResponse(this.entry, this.permit, status, headers, this.clock.now() - this.startedAt);
  }

  error(error: unknown, callerAborted: boolean): void {
    if (this.settled) return;
    this.settled = true;
    settleError(this.entry, this.permit, error, this.clock.now() - this.startedAt, callerAborted);
  }

  /** The call ended without an outcome worth counting (e.g. abandoned before any answer). */
  ignore(): void {
    if (this.settled) return;
    this.settled = true;
    this.permit.recordIgnored();
  }
}

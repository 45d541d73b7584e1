import type { HeaderSource } from '../agents/retry-after.js';
import type { Permit } from '../core/permit.js';
import { settleError, settleResponse } from './call-outcome.js';
import type { OriginTarget } from './origin-cache.js';

/**
 * Settles one admitted call exactly once: at response headers, or at the first error. The clock
 * starts when the call is admitted, so the duration is time to first byte of the response.
 */
export class CallRecorder {
  private settled = false;
  private readonly startedAt = performance.now();

  constructor(
    readonly entry: OriginTarget,
    private readonly permit: Permit,
  ) {}

  response(status: number, headers: HeaderSource | undefined): void {
    if (this.settled) return;
    this.settled = true;
    settleResponse(this.entry, this.permit, status, headers, performance.now() - this.startedAt);
  }

  error(error: unknown, callerAborted: boolean): void {
    if (this.settled) return;
    this.settled = true;
    settleError(this.entry, this.permit, error, performance.now() - this.startedAt, callerAborted);
  }

  /** The call ended without an outcome worth counting (e.g. abandoned before any answer). */
  ignore(): void {
    if (this.settled) return;
    this.settled = true;
    this.permit.recordIgnored();
  }
}

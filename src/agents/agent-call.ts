import type { Clock } from '../core/clock.js';
import type { Classification } from '../core/outcome.js';
import type { Permit } from '../core/permit.js';

/**
 * One admitted SDK call (as a transport's CallState is one admitted HTTP call): holds its permit until the call's outcome is known and settles it exactly
 * once. For streams that is when the stream ends (or fails), not when the stream object comes back,
 * so an error in the middle of a stream counts as a failure of the call. The duration reported for
 * the slow-call rule is the time to first byte (when the response or stream object arrived): an LLM
 * stream that takes a minute to finish is not a slow provider.
 */
export class AgentCall {
  private settled = false;
  private firstByteAt: number | undefined = undefined;
  private readonly startedAt: number;

  constructor(
    private readonly permit: Permit,
    private readonly clock: Clock,
    private readonly classify: (error: unknown) => Classification,
  ) {
    this.startedAt = clock.now();
  }

  /** The response (or the stream object) has arrived; later settlement reports this duration. */
  markFirstByte(): void {
    this.firstByteAt ??= this.clock.now();
  }

  succeed(): void {
    if (this.settled) return;
    this.settled = true;
    this.permit.recordSuccess(this.durationMs());
  }

  /** The call was abandoned by its caller, or never reached the provider. */
  ignore(): void {
    if (this.settled) return;
    this.settled = true;
    this.permit.recordIgnored();
  }

  fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    const c = this.classify(error);
    if (c.outcome === 'ignored') this.permit.recordIgnored();
    else if (c.outcome === 'success') this.permit.recordSuccess(this.durationMs());
    else
      this.permit.recordFailure(error, {
        durationMs: this.durationMs(),
        kind: c.kind,
        retryAfterMs: c.retryAfterMs,
      });
  }

  private durationMs(): number {
    return Math.max(0, (this.firstByteAt ?? this.clock.now()) - this.startedAt);
  }
}

import type { AbortFn, DispatchController, RawHeaders } from './handler-types.js';

/**
 * A new-API request controller for requests undici's own controller does not exist for: answers
 * we give ourselves (rejection, synthetic 503) and old-API requests shown to a new-API handler.
 */
export class SyntheticController implements DispatchController {
  aborted = false;
  paused = false;
  reason: unknown = null;
  rawHeaders: RawHeaders | null = null;
  rawTrailers: RawHeaders | null = null;
  /** Called when a paused stream is resumed. */
  onResume: (() => void) | undefined;

  constructor(private readonly onAbort: AbortFn = () => {}) {}

  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.onAbort(reason);
  }
  pause(): void {
    this.paused = true;
  }
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.onResume?.();
  }
}

import type { SlidingWindow } from './sliding-window.js';
import type { TransitionReason } from './states.js';

/** What a strategy may read when deciding whether to trip. */
export interface CallStats {
  readonly consecutiveFailures: number;
  readonly window: SlidingWindow;
}

/**
 * One rule that can open a closed breaker. Strategies are evaluated only after a failure or a slow
 * call (a fast success can never raise a count or a rate), so they cost nothing on the common path.
 */
export interface TripStrategy {
  readonly reason: TransitionReason;
  shouldTrip(stats: CallStats): boolean;
}

/** Opens after `threshold` failures in a row. */
export class ConsecutiveFailuresStrategy implements TripStrategy {
  readonly reason = 'consecutive_failures' as const;
  constructor(private readonly threshold: number) {}
  shouldTrip(stats: CallStats): boolean {
    return stats.consecutiveFailures >= this.threshold;
  }
}

/** Opens when failures / calls in the window reach `threshold`, once `minimumCalls` were seen. */
export class FailureRateStrategy implements TripStrategy {
  readonly reason = 'failure_rate' as const;
  constructor(
    private readonly threshold: number,
    private readonly minimumCalls: number,
  ) {}
  shouldTrip({ window }: CallStats): boolean {
    return (
      window.totalCalls >= this.minimumCalls &&
      window.totalFailures >= this.threshold * window.totalCalls
    );
  }
}

/** Opens when slow calls / calls in the window reach `threshold`, once `minimumCalls` were seen. */
export class SlowCallRateStrategy implements TripStrategy {
  readonly reason = 'slow_call_rate' as const;
  constructor(
    private readonly threshold: number,
    private readonly minimumCalls: number,
  ) {}
  shouldTrip({ window }: CallStats): boolean {
    return (
      window.totalCalls >= this.minimumCalls &&
      window.totalSlow >= this.threshold * window.totalCalls
    );
  }
}

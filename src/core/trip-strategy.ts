import type { SlidingWindow } from './sliding-window.js';
import type { TransitionReason } from './transition.js';

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

/** Which count of the window a ratio rule compares with its calls. */
type WindowCount = 'totalFailures' | 'totalSlow';

/**
 * Opens when a count / calls in the window reaches `threshold`, once `minimumCalls` were seen:
 * the failure-rate rule (failures) and the slow-call-rate rule (slow calls) are this one rule.
 */
class WindowRatioStrategy implements TripStrategy {
  constructor(
    readonly reason: 'failure_rate' | 'slow_call_rate',
    private readonly count: WindowCount,
    private readonly threshold: number,
    private readonly minimumCalls: number,
  ) {}
  shouldTrip({ window }: CallStats): boolean {
    return (
      window.totalCalls >= this.minimumCalls &&
      window[this.count] >= this.threshold * window.totalCalls
    );
  }
}

/** Opens when failures / calls in the window reach `threshold`, once `minimumCalls` were seen. */
export class FailureRateStrategy extends WindowRatioStrategy {
  constructor(threshold: number, minimumCalls: number) {
    super('failure_rate', 'totalFailures', threshold, minimumCalls);
  }
}

/** Opens when slow calls / calls in the window reach `threshold`, once `minimumCalls` were seen. */
export class SlowCallRateStrategy extends WindowRatioStrategy {
  constructor(threshold: number, minimumCalls: number) {
    super('slow_call_rate', 'totalSlow', threshold, minimumCalls);
  }
}

import { describe, expect, it } from 'vitest';
import { SlidingWindow } from '../../src/core/sliding-window.js';
import {
  ConsecutiveFailuresStrategy,
  FailureRateStrategy,
  SlowCallRateStrategy,
  type CallStats,
} from '../../src/core/trip-strategy.js';

/** A window holding `calls` calls, of which `failures` failed and `slow` were slow. */
function stats(calls: number, failures: number, slow: number, consecutiveFailures = 0): CallStats {
  const window = new SlidingWindow(60_000, 6, 0);
  for (let i = 0; i < calls; i++) window.record(0, i < failures, i < slow);
  return { consecutiveFailures, window };
}

describe('ConsecutiveFailuresStrategy', () => {
  it('trips at the threshold of failures in a row, not before', () => {
    const s = new ConsecutiveFailuresStrategy(3);
    expect(s.reason).toBe('consecutive_failures');
    expect(s.shouldTrip(stats(0, 0, 0, 2))).toBe(false);
    expect(s.shouldTrip(stats(0, 0, 0, 3))).toBe(true);
    expect(s.shouldTrip(stats(0, 0, 0, 4))).toBe(true);
  });

  it('reads only the run of failures, not the window', () => {
    expect(new ConsecutiveFailuresStrategy(3).shouldTrip(stats(100, 100, 100, 0))).toBe(false);
  });
});

describe('FailureRateStrategy', () => {
  it('waits for the minimum number of calls', () => {
    const s = new FailureRateStrategy(0.5, 10);
    expect(s.reason).toBe('failure_rate');
    expect(s.shouldTrip(stats(9, 9, 0))).toBe(false);
    expect(s.shouldTrip(stats(10, 9, 0))).toBe(true);
  });

  it('trips when the failure share reaches the threshold exactly', () => {
    const s = new FailureRateStrategy(0.5, 4);
    expect(s.shouldTrip(stats(10, 4, 0))).toBe(false);
    expect(s.shouldTrip(stats(10, 5, 0))).toBe(true);
    expect(s.shouldTrip(stats(10, 6, 0))).toBe(true);
  });

  it('ignores slow calls', () => {
    expect(new FailureRateStrategy(0.5, 1).shouldTrip(stats(10, 0, 10))).toBe(false);
  });

  it('with a minimum of one call, a single failed call is a failure rate of 100 %', () => {
    expect(new FailureRateStrategy(1, 1).shouldTrip(stats(1, 1, 0))).toBe(true);
    expect(new FailureRateStrategy(1, 1).shouldTrip(stats(2, 1, 0))).toBe(false);
  });
});

describe('SlowCallRateStrategy', () => {
  it('trips when the slow share reaches the threshold, once enough calls were seen', () => {
    const s = new SlowCallRateStrategy(0.8, 5);
    expect(s.reason).toBe('slow_call_rate');
    expect(s.shouldTrip(stats(4, 0, 4))).toBe(false);
    expect(s.shouldTrip(stats(5, 0, 3))).toBe(false);
    expect(s.shouldTrip(stats(5, 0, 4))).toBe(true);
  });

  it('ignores failures', () => {
    expect(new SlowCallRateStrategy(0.5, 1).shouldTrip(stats(10, 10, 0))).toBe(false);
  });
});

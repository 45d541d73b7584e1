import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { SlidingWindow } from '../../src/core/sliding-window.js';

// A 10 s window of 5 buckets of 2 s, on a hand-moved clock.
function windowAt(clock: ManualClock): SlidingWindow {
  return new SlidingWindow(10_000, 5, clock.now());
}

describe('SlidingWindow', () => {
  it('refuses a bucket count that is not a positive integer, and an empty window', () => {
    expect(() => new SlidingWindow(10_000, 0, 0)).toThrow(RangeError);
    expect(() => new SlidingWindow(10_000, 2.5, 0)).toThrow(/positive integer, got 2.5/);
    expect(() => new SlidingWindow(0, 5, 0)).toThrow(/windowMs must be > 0, got 0/);
    expect(() => new SlidingWindow(Number.NaN, 5, 0)).toThrow(RangeError);
  });

  it('splits the window into equal buckets', () => {
    const w = new SlidingWindow(10_000, 4, 0);
    expect(w.windowMs).toBe(10_000);
    expect(w.bucketMs).toBe(2_500);
  });

  it('counts calls, failures and slow calls, and gives their rates', () => {
    const clock = new ManualClock();
    const w = windowAt(clock);
    expect(w.failureRate()).toBe(0);
    expect(w.slowCallRate()).toBe(0);
    w.record(clock.now(), false, false);
    w.record(clock.now(), true, false);
    w.record(clock.now(), true, true);
    w.record(clock.now(), false, true);
    expect([w.totalCalls, w.totalFailures, w.totalSlow]).toEqual([4, 2, 2]);
    expect(w.failureRate()).toBe(0.5);
    expect(w.slowCallRate()).toBe(0.5);
  });

  it('forgets a bucket once the window has moved a whole window past it', () => {
    const clock = new ManualClock(); // monotonic time starts at 1000 ms: inside the first bucket
    const w = windowAt(clock);
    w.record(clock.now(), true, false); // bucket [0, 2000)
    clock.advance(2_000);
    w.record(clock.now(), false, true); // bucket [2000, 4000)
    clock.advance(6_999); // 9999 ms: both buckets still inside
    w.advance(clock.now());
    expect([w.totalCalls, w.totalFailures, w.totalSlow]).toEqual([2, 1, 1]);
    clock.advance(1); // 10000 ms: the ring reuses the first bucket
    w.advance(clock.now());
    expect([w.totalCalls, w.totalFailures, w.totalSlow]).toEqual([1, 0, 1]);
    clock.advance(2_000); // 12000 ms: the second bucket goes too
    w.advance(clock.now());
    expect([w.totalCalls, w.totalFailures, w.totalSlow]).toEqual([0, 0, 0]);
    expect(w.failureRate()).toBe(0);
  });

  it('a record after a long silence starts from an empty ring', () => {
    const clock = new ManualClock();
    const w = windowAt(clock);
    for (let i = 0; i < 5; i++) {
      w.record(clock.now(), true, true);
      clock.advance(2_000);
    }
    expect(w.totalCalls).toBe(5);
    clock.advance(60_000);
    w.record(clock.now(), false, false);
    expect([w.totalCalls, w.totalFailures, w.totalSlow]).toEqual([1, 0, 0]);
  });

  it('keeps the running totals equal to a recount of the last window', () => {
    const clock = new ManualClock();
    const w = windowAt(clock);
    const calls: Array<{ at: number; failed: boolean; slow: boolean }> = [];
    let seed = 7;
    const next = (): number => (seed = (seed * 48_271) % 2_147_483_647);
    for (let i = 0; i < 500; i++) {
      clock.advance(next() % 700);
      const call = { at: clock.now(), failed: next() % 3 === 0, slow: next() % 4 === 0 };
      calls.push(call);
      w.record(call.at, call.failed, call.slow);
      // Resolution is one bucket: the window holds the calls of the current bucket and the
      // four before it.
      const firstSlot = Math.floor(call.at / w.bucketMs) - 4;
      const inWindow = calls.filter((c) => Math.floor(c.at / w.bucketMs) >= firstSlot);
      expect(w.totalCalls).toBe(inWindow.length);
      expect(w.totalFailures).toBe(inWindow.filter((c) => c.failed).length);
      expect(w.totalSlow).toBe(inWindow.filter((c) => c.slow).length);
    }
  });

  it('clear() empties the counts and the window keeps counting from there', () => {
    const clock = new ManualClock();
    const w = windowAt(clock);
    w.record(clock.now(), true, true);
    clock.advance(2_000);
    w.record(clock.now(), true, false);
    w.clear();
    expect([w.totalCalls, w.totalFailures, w.totalSlow]).toEqual([0, 0, 0]);
    clock.advance(10_000); // rotating over cleared buckets must not drive the totals negative
    w.record(clock.now(), false, false);
    expect([w.totalCalls, w.totalFailures, w.totalSlow]).toEqual([1, 0, 0]);
  });
});

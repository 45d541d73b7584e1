/**
 * Counts calls, failures and slow calls over the last `windowMs`, as a ring of buckets.
 *
 * Buckets rotate lazily when a record or read sees that time moved past the current bucket, and the
 * totals are kept running (an evicted bucket is subtracted), so neither recording nor reading ever
 * re-sums the ring and no timer is needed. Time resolution is one bucket: the window really covers
 * between `windowMs - bucketMs` and `windowMs` of history.
 */
export class SlidingWindow {
  readonly windowMs: number;
  readonly bucketMs: number;
  /** One array for the whole ring: [calls × n | failures × n | slow × n] (one allocation per window). */
  private readonly counts: Uint32Array;
  private readonly size: number;
  private current = 0;
  /** Start of the current bucket's time slot (multiple of bucketMs). */
  private currentSlot: number;
  private nextSlotAt: number;
  totalCalls = 0;
  totalFailures = 0;
  totalSlow = 0;

  constructor(windowMs: number, buckets: number, now: number) {
    if (!(buckets >= 1 && Number.isInteger(buckets)))
      throw new RangeError(`buckets must be a positive integer, got ${buckets}`);
    if (!(windowMs > 0)) throw new RangeError(`windowMs must be > 0, got ${windowMs}`);
    this.windowMs = windowMs;
    this.bucketMs = windowMs / buckets;
    this.size = buckets;
    this.counts = new Uint32Array(buckets * 3);
    this.currentSlot = Math.floor(now / this.bucketMs);
    this.nextSlotAt = (this.currentSlot + 1) * this.bucketMs;
  }

  record(now: number, failed: boolean, slow: boolean): void {
    if (now >= this.nextSlotAt) this.rotate(now);
    const i = this.current;
    this.counts[i]!++;
    this.totalCalls++;
    if (failed) {
      this.counts[i + this.size]!++;
      this.totalFailures++;
    }
    if (slow) {
      this.counts[i + 2 * this.size]!++;
      this.totalSlow++;
    }
  }

  /** Brings the ring up to `now` before a read, so stale buckets do not count. */
  advance(now: number): void {
    if (now >= this.nextSlotAt) this.rotate(now);
  }

  failureRate(): number {
    return this.totalCalls === 0 ? 0 : this.totalFailures / this.totalCalls;
  }

  slowCallRate(): number {
    return this.totalCalls === 0 ? 0 : this.totalSlow / this.totalCalls;
  }

  clear(): void {
    this.counts.fill(0);
    this.totalCalls = 0;
    this.totalFailures = 0;
    this.totalSlow = 0;
  }

  private rotate(now: number): void {
    const slot = Math.floor(now / this.bucketMs);
    const size = this.size;
    const counts = this.counts;
    const steps = Math.min(slot - this.currentSlot, size);
    for (let s = 0; s < steps; s++) {
      this.current = (this.current + 1) % size;
      const i = this.current;
      this.totalCalls -= counts[i]!;
      this.totalFailures -= counts[i + size]!;
      this.totalSlow -= counts[i + 2 * size]!;
      counts[i] = 0;
      counts[i + size] = 0;
      counts[i + 2 * size] = 0;
    }
    this.currentSlot = slot;
    this.nextSlotAt = (slot + 1) * this.bucketMs;
  }
}

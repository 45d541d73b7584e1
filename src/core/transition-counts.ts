import { BREAKER_STATES, type BreakerStateName } from './states.js';

const INDEX: Readonly<Record<BreakerStateName, number>> = {
  closed: 0,
  open: 1,
  half_open: 2,
  forced_open: 3,
  disabled: 4,
};
const N = BREAKER_STATES.length;

/** Transition counts by (from, to) in a flat array; metrics read them at collection time. */
export class TransitionCounts {
  /** Allocated at the first transition: most breakers never leave closed. */
  private counts: Uint32Array | undefined;

  increment(from: BreakerStateName, to: BreakerStateName): void {
    (this.counts ??= new Uint32Array(N * N))[INDEX[from] * N + INDEX[to]]!++;
  }

  get(from: BreakerStateName, to: BreakerStateName): number {
    return this.counts?.[INDEX[from] * N + INDEX[to]] ?? 0;
  }

  /** Calls `fn` for every pair seen at least once. */
  forEach(fn: (from: BreakerStateName, to: BreakerStateName, count: number) => void): void {
    if (this.counts === undefined) return;
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < N; j++) {
        const c = this.counts[i * N + j]!;
        if (c > 0) fn(BREAKER_STATES[i]!, BREAKER_STATES[j]!, c);
      }
    }
  }
}

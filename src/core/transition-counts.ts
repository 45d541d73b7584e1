import type { FailureKind } from './outcome.js';
import { BREAKER_STATES, type BreakerStateName } from './state-names.js';

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

export const FAILURE_KINDS: readonly FailureKind[] = [
  'connection',
  'timeout',
  'server',
  'rate_limited',
  'quota',
  'error',
];

/** Failure counts by kind; allocated at the first failure. */
export class FailureKindCounts {
  private counts: Uint32Array | undefined;

  increment(kind: FailureKind): void {
    (this.counts ??= new Uint32Array(FAILURE_KINDS.length))[FAILURE_KINDS.indexOf(kind)]!++;
  }

  get(kind: FailureKind): number {
    return this.counts?.[FAILURE_KINDS.indexOf(kind)] ?? 0;
  }

  forEach(fn: (kind: FailureKind, count: number) => void): void {
    if (this.counts === undefined) return;
    for (let i = 0; i < FAILURE_KINDS.length; i++)
      if (this.counts[i]! > 0) fn(FAILURE_KINDS[i]!, this.counts[i]!);
  }
}

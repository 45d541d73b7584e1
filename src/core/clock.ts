/**
 * Monotonic milliseconds. `process.hrtime()`, not `performance.now()`: the first use of either
 * `performance` (the global or node:perf_hooks') loads Node's whole performance module, 1 MiB in
 * every process that preloads us; the hot path reads the coarse time below, never this.
 */
function monotonicMs(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1e3 + nanoseconds / 1e6;
}

/**
 * Time source for breakers. Injected so tests move time by hand and never sleep.
 *
 * `now()` is monotonic milliseconds and may be coarse (up to one 10 ms tick stale): it is read on every call in
 * the closed state, where a real clock read (~50 ns on our reference machines) would cost more than
 * the whole rest of the decision. `preciseNow()` is read only off the hot path (transitions, open
 * state). `wallNow()` is epoch milliseconds for timestamps shown to people.
 */
export interface Clock {
  now(): number;
  preciseNow(): number;
  wallNow(): number;
}

/** How often the shared coarse clock is refreshed. Bucket widths and slow-call limits are seconds. */
const COARSE_TICK_MS = 10;

let coarseNow = monotonicMs();
let ticker: ReturnType<typeof setInterval> | undefined;
/** Set by every coarse read; a tick that finds it unset stops the ticker (no wake-ups while idle). */
let readSinceTick = false;

function startTicker(): void {
  // One process-wide timer (not one per breaker), unref'd so it never keeps the process alive.
  ticker = setInterval(() => {
    if (!readSinceTick) {
      // Nobody read the clock for a whole tick: stop waking the process up. The next read
      // refreshes the time itself and starts the ticker again.
      clearInterval(ticker);
      ticker = undefined;
      return;
    }
    readSinceTick = false;
    coarseNow = monotonicMs();
  }, COARSE_TICK_MS);
  ticker.unref();
}

/** The real clock: coarse monotonic time shared by every breaker in the process. */
export const systemClock: Clock = {
  now(): number {
    if (ticker === undefined) {
      coarseNow = monotonicMs();
      startTicker();
    }
    readSinceTick = true;
    return coarseNow;
  },
  preciseNow(): number {
    coarseNow = monotonicMs();
    return coarseNow;
  },
  wallNow(): number {
    return Date.now();
  },
};

/** Starts the shared coarse-clock ticker; it stops by itself after a tick without reads. */
export function ensureSystemClockRunning(): void {
  if (ticker === undefined) startTicker();
}

/** A clock that only moves when told to. Exported for users' own tests as well as ours. */
export class ManualClock implements Clock {
  private monotonic: number;
  private readonly wallOffset: number;

  constructor(startWallMs = Date.UTC(2026, 0, 1)) {
    this.monotonic = 1_000;
    this.wallOffset = startWallMs - this.monotonic;
  }

  now(): number {
    return this.monotonic;
  }

  preciseNow(): number {
    return this.monotonic;
  }

  wallNow(): number {
    return this.monotonic + this.wallOffset;
  }

  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`ManualClock.advance: ms must be >= 0, got ${ms}`);
    this.monotonic += ms;
  }
}

import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJsonLinesChild } from '../utils/json-lines-child.js';

// An app retrying with no delay against an open circuit must still let timers, I/O and signal
// handlers run: each rejection settles on a later event-loop turn. Child processes, because a
// starved event loop would starve the test runner too.
const root = resolve(__dirname, '../..');
const fixture = resolve(__dirname, 'fixtures/open-circuit-loop.cjs');
const dist = resolve(root, 'dist/cjs/index.js');

interface Line {
  /** How long each of five consecutive 100 ms timers took to fire (the smaller of wall and CPU time). */
  readonly timers?: number[];
  readonly stopped?: boolean;
  readonly iterations?: number;
  readonly rejected?: number;
}

/** Runs the loop; sends SIGTERM once the timers fired (or after 5 s without), SIGKILL after 5 s more. */
async function runLoop(kind: string) {
  const run = await runJsonLinesChild<Line>({
    args: [fixture, dist, kind],
    graceMs: 5000,
    terminateAfterMs: 5000,
    onLine: (line, _lines, child) => {
      if (line.timers !== undefined) child.terminate();
    },
  });
  return {
    timers: run.lines.find((l) => l.timers !== undefined)?.timers,
    stopped: run.lines.find((l) => l.stopped === true) as
      { iterations: number; rejected: number } | undefined,
    code: run.code,
    stderr: run.stderr,
  };
}

describe('a no-delay retry loop against a circuit that rejects every call', () => {
  it.each([
    'execute-open',
    'wrap-forced-open',
    'execute-half-open-full',
    'agent-open',
    'agent-generator-open',
  ])('%s: 100 ms timers fire within 150 ms and SIGTERM ends the process', async (kind) => {
    const result = await runLoop(kind);
    expect(result.stderr).toBe('');
    // Every timer fired (a starved loop fires none); the median one within 150 ms.
    expect(result.timers).toHaveLength(5);
    const sorted = [...result.timers!].sort((a, b) => a - b);
    expect(sorted[2]).toBeLessThan(150);
    // The graceful handler ran: the loop saw `done`, and nothing kept the process alive after it.
    expect(result.stopped).toBeDefined();
    expect(result.stopped!.rejected).toBe(result.stopped!.iterations);
    expect(result.stopped!.iterations).toBeGreaterThan(0);
    expect(result.code).toBe(0);
  });
});

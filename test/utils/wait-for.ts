import { expect } from 'vitest';

/**
 * Polls `condition` every 5 ms until it holds, for work that finishes on real I/O (a loopback
 * server answered, a stream ended); time a test controls is moved by hand instead. Fails the test
 * after `timeoutMs` with `what` when it never holds.
 */
export async function waitFor(
  condition: () => boolean,
  what = 'the condition',
  timeoutMs = 2_500,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  expect(condition(), `timed out after ${timeoutMs} ms waiting for ${what}`).toBe(true);
}

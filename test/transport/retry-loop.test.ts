// An open circuit must not starve the event loop of an app that retries without any delay:
// every rejection (and every synthetic 503) settles on a later event-loop turn, so timers fire and
// SIGTERM still ends the process. Child processes, a real loopback server, a forced-open circuit.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJsonLinesChild } from '../utils/json-lines-child.js';
import { CountingServer } from './support/counting-server.js';

const root = resolve(__dirname, '../..');
const child = resolve(__dirname, 'fixtures/retry-loop-child.ts');

let server: CountingServer;
beforeAll(async () => {
  server = await CountingServer.start();
});
afterAll(async () => {
  await server.close();
});

interface Report {
  readonly firedAfterMs?: number;
  /** CPU time the process got between arming the timer and its firing. */
  readonly cpuMs?: number;
  readonly attemptsWhileWaiting?: number;
}

/** Runs the loop; SIGTERM once the timer reported, or after `giveUpMs` if it never does. */
async function runLoop(client: string, rejectWith: string, giveUpMs = 6_000) {
  const run = await runJsonLinesChild<Report>({
    args: ['--import', 'tsx', child, client, rejectWith, server.url('/v1')],
    cwd: root,
    graceMs: 5_000,
    terminateAfterMs: giveUpMs,
    onLine: (_report, _lines, loop) => loop.terminate(),
  });
  return {
    firedAfterMs: run.lines[0]?.firedAfterMs,
    cpuMs: run.lines[0]?.cpuMs,
    attemptsWhileWaiting: run.lines[0]?.attemptsWhileWaiting,
    signal: run.signal,
    stderr: run.stderr,
  };
}

const cases: Array<[string, string]> = [
  ['global.fetch', 'error'],
  ['global.fetch', 'response'],
  ['undici.request', 'error'],
  ['undici.request', 'response'],
  ['undici.fetch', 'error'],
  ['undici.stream', 'error'],
  ['undici7.request', 'error'],
  ['undici6.request', 'error'],
];

describe('a retry loop without delay against an open circuit', () => {
  it.each(cases)(
    '%s (rejectWith: %s): a 100 ms timer fires within 150 ms, SIGTERM ends it',
    async (client, rejectWith) => {
      const run = await runLoop(client, rejectWith);
      expect(run.stderr).toBe('');
      expect(
        run.firedAfterMs,
        'the timer never fired: the loop starved the event loop',
      ).toBeDefined();
      // Within 150 ms of the time the child actually ran: a machine loaded beyond its cores can
      // keep a process waiting for a CPU for hundreds of milliseconds, while the CPU time of a loop
      // that starves the timer grows without bound.
      expect(Math.min(run.firedAfterMs!, run.cpuMs!)).toBeLessThan(150);
      // The loop kept running against the open circuit while the timer was pending.
      expect(run.attemptsWhileWaiting).toBeGreaterThan(0);
      expect(run.signal).toBe('SIGTERM');
      expect(server.connections).toBe(0);
    },
  );
});

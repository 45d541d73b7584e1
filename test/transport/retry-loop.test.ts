// An open circuit must not starve the event loop of an app that retries without any delay:
// every rejection (and every synthetic 503) settles on a later event-loop turn, so timers fire and
// SIGTERM still ends the process. Child processes, a real loopback server, a forced-open circuit.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

interface LoopRun {
  readonly firedAfterMs: number | undefined;
  readonly attemptsWhileWaiting: number | undefined;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/** Runs the loop; SIGTERM once the timer reported, SIGKILL if it never does within `giveUpMs`. */
function runLoop(client: string, rejectWith: string, giveUpMs = 6_000): Promise<LoopRun> {
  return new Promise((done) => {
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', child, client, rejectWith, server.url('/v1')],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    let report: { firedAfterMs?: number; attemptsWhileWaiting?: number } = {};
    const giveUp = setTimeout(() => proc.kill('SIGKILL'), giveUpMs);
    proc.stdout.on('data', (d: Buffer) => {
      stdout += d;
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && report.firedAfterMs === undefined && line) {
        report = JSON.parse(line) as typeof report;
        proc.kill('SIGTERM');
      }
    });
    proc.stderr.on('data', (d: Buffer) => (stderr += d));
    proc.on('exit', (_code, signal) => {
      clearTimeout(giveUp);
      done({
        firedAfterMs: report.firedAfterMs,
        attemptsWhileWaiting: report.attemptsWhileWaiting,
        signal,
        stderr,
      });
    });
  });
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
      expect(run.firedAfterMs).toBeLessThan(150);
      // The loop kept running against the open circuit while the timer was pending.
      expect(run.attemptsWhileWaiting).toBeGreaterThan(0);
      expect(run.signal).toBe('SIGTERM');
      expect(server.connections).toBe(0);
    },
  );
});

import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// An app retrying with no delay against an open circuit must still let timers, I/O and signal
// handlers run: each rejection settles on a later event-loop turn. Child processes, because a
// starved event loop would starve the test runner too.
const root = resolve(__dirname, '../..');
const fixture = resolve(__dirname, 'fixtures/open-circuit-loop.cjs');
const dist = resolve(root, 'dist/cjs/index.js');

interface LoopRun {
  /** How long each of five consecutive 100 ms timers took to fire. */
  readonly timers: number[] | undefined;
  readonly stopped: { iterations: number; rejected: number } | undefined;
  readonly code: number | null;
  readonly stderr: string;
}

/** Runs the loop; sends SIGTERM once the timers fired (or after 5 s without), SIGKILL after 5 s more. */
function runLoop(kind: string): Promise<LoopRun> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [fixture, dist, kind], { stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    let timers: number[] | undefined;
    let stopped: LoopRun['stopped'];
    const terminate = () => {
      child.kill('SIGTERM');
      kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    };
    let kill: NodeJS.Timeout | undefined;
    const noTimer = setTimeout(terminate, 5000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const lines = stdout.split('\n');
      stdout = lines.pop()!;
      for (const line of lines) {
        const message = JSON.parse(line) as {
          timers?: number[];
          stopped?: boolean;
        } & LoopRun['stopped'];
        if (message.timers !== undefined) {
          timers = message.timers;
          clearTimeout(noTimer);
          terminate();
        }
        if (message.stopped === true) stopped = message;
      }
    });
    child.on('exit', (code) => {
      clearTimeout(noTimer);
      clearTimeout(kill);
      done({ timers, stopped, code, stderr });
    });
  });
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

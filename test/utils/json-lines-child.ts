import { spawn } from 'node:child_process';

// The retry-loop tests run the loop in a child process (a starved event loop would starve the
// test runner too), read the JSON lines it prints, and end it with SIGTERM: the loop must let
// its signal handler run. This runs such a child and escalates to SIGKILL when SIGTERM is not
// enough, so a starved child fails its test instead of hanging it.

export interface ChildControl {
  /** Sends SIGTERM (once); SIGKILL follows if the child outlives it by `graceMs`. */
  terminate(): void;
  /** Calls terminate() in `ms` unless the child has exited by then. */
  terminateAfter(ms: number): void;
}

export interface JsonLinesChildOptions<L> {
  /** Arguments to `node` (the fixture and what it needs). */
  readonly args: readonly string[];
  readonly cwd?: string;
  /** How long the child may outlive SIGTERM before it is killed. */
  readonly graceMs: number;
  /** SIGTERM this long after the start, for a child that never prints what the test waits for. */
  readonly terminateAfterMs?: number;
  /** Sees each line as it arrives, with every line so far. */
  onLine(line: L, lines: readonly L[], control: ChildControl): void;
}

export interface ChildRun<L> {
  readonly lines: readonly L[];
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when the child outlived SIGTERM and was killed. */
  readonly killed: boolean;
  readonly stderr: string;
}

export function runJsonLinesChild<L>(options: JsonLinesChildOptions<L>): Promise<ChildRun<L>> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [...options.args], {
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: L[] = [];
    const timers: NodeJS.Timeout[] = [];
    let stdout = '';
    let stderr = '';
    let terminated = false;
    let killed = false;
    const control: ChildControl = {
      terminate() {
        if (terminated) return;
        terminated = true;
        child.kill('SIGTERM');
        const kill = setTimeout(() => {
          killed = true;
          child.kill('SIGKILL');
        }, options.graceMs);
        timers.push(kill);
      },
      terminateAfter(ms) {
        timers.push(setTimeout(() => control.terminate(), ms));
      },
    };
    if (options.terminateAfterMs !== undefined) control.terminateAfter(options.terminateAfterMs);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      const parts = stdout.split('\n');
      stdout = parts.pop() ?? '';
      for (const part of parts) {
        const line = JSON.parse(part) as L;
        lines.push(line);
        options.onLine(line, lines, control);
      }
    });
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('exit', (code, signal) => {
      for (const timer of timers) clearTimeout(timer);
      done({ lines, code, signal, killed, stderr });
    });
  });
}

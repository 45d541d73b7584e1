import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');
const TSX_CLI = resolve(ROOT, 'node_modules/tsx/dist/cli.mjs');

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a script (TypeScript through tsx, or built JS) with this Node and collects its output. */
export function runNode(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<RunResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...args], {
      cwd: ROOT,
      env: { ...cleanEnv(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** The CLI from source, as `otel-circuit-breaker <args>`. */
export function runCli(args: readonly string[], env: Record<string, string | undefined> = {}) {
  return runNode([TSX_CLI, 'src/cli/main.ts', ...args], env);
}

/** Env without anything that could point the CLI elsewhere or colour its output. */
function cleanEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1' };
  for (const key of Object.keys(env))
    if (key.startsWith('CIRCUIT_BREAKER_') || key === 'FORCE_COLOR') delete env[key];
  return env;
}

export interface RunningApp {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts test/cli/fixtures/admin-app.ts in its own process and waits for its URL. */
export function startFixtureApp(token?: string): Promise<RunningApp> {
  return new Promise((done, fail) => {
    const child: ChildProcess = spawn(
      process.execPath,
      [TSX_CLI, 'test/cli/fixtures/admin-app.ts'],
      {
        cwd: ROOT,
        env: { ...cleanEnv(), ...(token !== undefined ? { ADMIN_TOKEN: token } : {}) },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.on('error', fail);
    child.on('exit', (code) => fail(new Error(`fixture app exited early (${code})`)));
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line === undefined) return;
      const { url } = JSON.parse(line) as { url: string };
      child.removeAllListeners('exit');
      done({
        url,
        stop: () =>
          new Promise<void>((r) => {
            if (child.exitCode !== null) return r();
            child.once('exit', () => r());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

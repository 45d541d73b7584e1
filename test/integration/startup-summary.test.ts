import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PACKAGE_VERSION } from '../../src/telemetry/package-version.js';

// What `--require otel-circuit-breaker/register` tells the user on stderr: one startup line and a
// warning for each setup that looks valid but protects nothing. Real child processes, as users run it.
const root = resolve(__dirname, '../..');
const register = join(root, 'dist/cjs/register.js');
const dir = mkdtempSync(join(tmpdir(), 'cb-startup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  readonly code: number | null;
  readonly stderr: string;
}

/** Runs a no-op app under register with exactly `env` (plus PATH) and collects stderr. */
function runRegistered(env: Record<string, string>): Promise<Run> {
  const child = spawn(
    process.execPath,
    ['--require', register, '-e', 'setTimeout(() => process.exit(0), 50)'],
    {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', OTEL_EXPORTER_PROMETHEUS_PORT: '0', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((done) => child.on('close', (code) => done({ code, stderr })));
}

async function listening(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, r));
  return { port: (server.address() as { port: number }).port, server };
}

const lineOf = (stderr: string) => stderr.split('\n').filter((l) => l !== '');

describe('startup line', { timeout: 30_000 }, () => {
  it('names version, hosts, mode, store and the metrics endpoint in one line', async () => {
    const { port, server } = await listening();
    await new Promise<void>((r) => server.close(() => r()));
    const run = await runRegistered({
      CIRCUIT_BREAKER_HOSTS: 'api.openai.com,*.internal',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
    });
    expect(run.code).toBe(0);
    expect(lineOf(run.stderr)).toEqual([
      `otel-circuit-breaker ${PACKAGE_VERSION}: protecting 2 hosts (api.openai.com, *.internal), mode enforce, store memory, metrics http://localhost:${port}/metrics`,
    ]);
  });

  it('says when every host is in observe mode, and never shows a Redis password', async () => {
    const run = await runRegistered({
      CIRCUIT_BREAKER_HOSTS: 'a.example.com',
      CIRCUIT_BREAKER_MODE: 'observe',
      CIRCUIT_BREAKER_REDIS_URL: 'redis://user:s3cret@127.0.0.1:1',
      CIRCUIT_BREAKER_REDIS_STORE_TIMEOUT_MS: '5',
    });
    const [line] = lineOf(run.stderr);
    expect(line).toContain(
      'protecting 1 host (a.example.com), mode observe (calls are measured, never blocked), store redis redis://127.0.0.1:1',
    );
    expect(run.stderr).not.toContain('s3cret');
  });

  it('is silenced by CIRCUIT_BREAKER_QUIET=true, which is validated like every variable', async () => {
    const quiet = await runRegistered({
      CIRCUIT_BREAKER_HOSTS: 'a.example.com',
      CIRCUIT_BREAKER_QUIET: 'true',
    });
    expect(quiet).toEqual({ code: 0, stderr: '' });
    const bad = await runRegistered({ CIRCUIT_BREAKER_QUIET: 'shh' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      'env CIRCUIT_BREAKER_QUIET: quiet: got "shh", expected true or false',
    );
  });
});

describe('warnings', { timeout: 30_000 }, () => {
  it('warns when no host is protected, and when the config file is empty', async () => {
    const none = await runRegistered({ CIRCUIT_BREAKER_QUIET: 'true' });
    expect(lineOf(none.stderr)).toEqual([
      'otel-circuit-breaker: warning: no hosts configured, so no fetch, undici or http(s) call is protected (only clients wrapped with registerAgentClient are): list hosts in CIRCUIT_BREAKER_HOSTS or under hosts: in the file named by CIRCUIT_BREAKER_CONFIG',
    ]);
    const file = join(dir, 'empty.yaml');
    writeFileSync(file, '# nothing yet\n');
    const empty = await runRegistered({
      CIRCUIT_BREAKER_CONFIG: file,
      CIRCUIT_BREAKER_HOSTS: 'a.example.com',
    });
    expect(empty.code).toBe(0);
    expect(lineOf(empty.stderr)).toContain(
      `otel-circuit-breaker: warning: config file ${file} is empty: nothing is configured from it`,
    );
  });

  it('names OTEL_EXPORTER_PROMETHEUS_PORT when the metrics port is taken', async () => {
    const { port, server } = await listening();
    try {
      const run = await runRegistered({
        CIRCUIT_BREAKER_HOSTS: 'a.example.com',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      });
      expect(run.code).toBe(0);
      expect(run.stderr).toContain(
        `otel-circuit-breaker: warning: Prometheus endpoint not started on *:${port}: port ${port} is already in use (another process, or another app with this library); set OTEL_EXPORTER_PROMETHEUS_PORT to a free port`,
      );
    } finally {
      server.close();
    }
  });

  it('treats variables that look like ours as unknown CIRCUIT_BREAKER_* names: an error with a hint', async () => {
    const run = await runRegistered({
      CIRCUIT_BRAKER_HOSTS: 'a.example.com',
      CIRCUITBREAKER_HOSTS: 'a.example.com',
      CIRCUIT_BREAKERS_HOSTS: 'a.example.com',
      circuit_breaker_open_seconds: '5',
      CIRCUIT_NAME: 'unrelated',
    });
    expect(run.code).toBe(1);
    for (const name of ['CIRCUIT_BRAKER_HOSTS', 'CIRCUITBREAKER_HOSTS', 'CIRCUIT_BREAKERS_HOSTS'])
      expect(run.stderr).toContain(
        `env ${name}: not read: the prefix is CIRCUIT_BREAKER_; did you mean "CIRCUIT_BREAKER_HOSTS"?`,
      );
    expect(run.stderr).toContain(
      'env circuit_breaker_open_seconds: not read: the prefix is CIRCUIT_BREAKER_; did you mean "CIRCUIT_BREAKER_OPEN_SECONDS"?',
    );
    expect(run.stderr).not.toContain('CIRCUIT_NAME');
  });
});

describe('fields that move together, fields at the wrong level', { timeout: 30_000 }, () => {
  it('openSeconds above maxOpenSeconds names the other field in the form it was set in', async () => {
    const env = await runRegistered({ CIRCUIT_BREAKER_OPEN_SECONDS: '600' });
    expect(env.code).toBe(1);
    expect(env.stderr).toContain(
      'env CIRCUIT_BREAKER_OPEN_SECONDS: defaults.openSeconds: got 600, expected at most maxOpenSeconds (300, preset "default"); raise maxOpenSeconds (CIRCUIT_BREAKER_MAX_OPEN_SECONDS) too',
    );
    const file = join(dir, 'open.yaml');
    writeFileSync(file, 'hosts:\n  a.example.com:\n    openSeconds: 600\n');
    const fromFile = await runRegistered({ CIRCUIT_BREAKER_CONFIG: file });
    expect(fromFile.stderr).toContain(
      `${file}:3: hosts["a.example.com"].openSeconds: got 600, expected at most maxOpenSeconds (300, preset "default"); raise maxOpenSeconds (hosts["a.example.com"].maxOpenSeconds) too`,
    );
  });

  it('points a setting written at the wrong level to where it belongs', async () => {
    const file = join(dir, 'levels.yaml');
    writeFileSync(
      file,
      'failureThreshold: 3\nhosts:\n  failureThreshold: 3\n  a.example.com:\n    store: redis\n',
    );
    const run = await runRegistered({ CIRCUIT_BREAKER_CONFIG: file });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `${file}:1: failureThreshold: unknown key; it is a breaker setting: put it under defaults (every host) or under one host (hosts["api.example.com"].failureThreshold)`,
    );
    expect(run.stderr).toContain(
      `${file}:3: hosts.failureThreshold: got 3, expected a mapping of breaker settings; "failureThreshold" is a breaker setting, not a host: put it under defaults (every host) or under one host (hosts["api.example.com"].failureThreshold)`,
    );
    expect(run.stderr).toContain(
      `${file}:5: hosts["a.example.com"].store: unknown key; it belongs at the top level of the config (store:)`,
    );
  });
});

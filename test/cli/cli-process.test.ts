import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from './cli-harness.js';
import { freePort } from '../utils/free-port.js';

// The CLI as a well-kept command-line tool: quiet on a closed pipe, executable after the build,
// gone when whoever started it is gone, and able to find the app from the app's own config.
const BIN = resolve(ROOT, 'dist/cjs/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'cb-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** True while `pid` runs (a zombie nobody reaped counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe('the CLI process', { timeout: 30_000 }, () => {
  it('the built bin is executable and runs as a program', async () => {
    expect(statSync(BIN).mode & 0o111).toBe(0o111);
    const child = spawn(BIN, ['--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(0);
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('ends quietly with exit 0 when its stdout is closed (`--help | head`)', async () => {
    const child = spawn(process.execPath, [BIN, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader is gone before the CLI writes a byte
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise((r) => child.on('close', r));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('watch ends when the wrapper that started it (npx) is killed', async () => {
    // The wrapper hands its own stdout and stderr to watch, as npx does, so watch never sees a
    // closed pipe; its first failed refresh (on stderr) shows it is running.
    const wrapper = spawn(
      process.execPath,
      [
        '-e',
        `const c = require('node:child_process').spawn(process.execPath, process.argv.slice(1), { stdio: ['ignore', 'inherit', 'inherit'] });
         console.log('watch pid ' + c.pid); setInterval(() => {}, 1000);`,
        BIN,
        'watch',
        '--url',
        `http://127.0.0.1:${await freePort()}`,
        '--interval',
        '200',
        '--timeout',
        '100',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const pid = await new Promise<number>((done) => {
      let out = '';
      wrapper.stdout.on('data', (c: Buffer) => (out += c.toString()));
      wrapper.stderr.once('data', () => done(Number(/watch pid (\d+)/.exec(out)![1])));
    });
    try {
      expect(alive(pid)).toBe(true);
      wrapper.kill('SIGKILL');
      expect(await until(() => !alive(pid), 10_000)).toBe(true);
    } finally {
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });

  it('watch ends by itself on SIGHUP and SIGTERM (a closed terminal, a stopped job)', async () => {
    for (const signal of ['SIGHUP', 'SIGTERM'] as const) {
      const child = spawn(
        process.execPath,
        [BIN, 'watch', '--url', `http://127.0.0.1:${await freePort()}`, '--interval', '200'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      child.stderr.once('data', () => child.kill(signal)); // first failed refresh: it is running
      const exit = await new Promise((r) => child.on('exit', (code, sig) => r({ code, sig })));
      // Not killed by the signal: it stopped and reported its last refresh (2: unreachable).
      expect(exit, signal).toEqual({ code: 2, sig: null });
    }
  });
});

describe('status finds the app from its config file', { timeout: 30_000 }, () => {
  it('reads admin.port from CIRCUIT_BREAKER_CONFIG and lists configured hosts with 0 calls', async () => {
    const port = await freePort();
    const config = join(dir, 'circuit-breakers.yaml');
    writeFileSync(
      config,
      `hosts:\n  api.example.com: {}\n  "*.internal.example.com": {}\nadmin:\n  port: ${port}\n`,
    );
    const app = spawn(
      process.execPath,
      ['--require', resolve(ROOT, 'dist/cjs/register.js'), '-e', 'setInterval(() => {}, 1000)'],
      {
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? '',
          CIRCUIT_BREAKER_CONFIG: config,
          OTEL_EXPORTER_PROMETHEUS_PORT: '0',
        },
        stdio: 'ignore',
      },
    );
    try {
      let result = await runCli(['status'], { CIRCUIT_BREAKER_CONFIG: config });
      const deadline = Date.now() + 15_000;
      while (result.code !== 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        result = await runCli(['status'], { CIRCUIT_BREAKER_CONFIG: config });
      }
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^\*\.internal\.example\.com +closed +0\.0% +0\.0% +0 +0 +-/m);
      expect(result.stdout).toMatch(/^api\.example\.com +closed +0\.0% +0\.0% +0 +0 +-/m);
      expect(result.stdout).toContain(`2 breakers, 0 open - http://127.0.0.1:${port}`);
    } finally {
      app.kill('SIGKILL');
    }
  });

  it('says why it gave up when the config names no admin port', async () => {
    const config = join(dir, 'no-admin.yaml');
    writeFileSync(config, 'hosts: [api.example.com]\n');
    const result = await runCli(['status'], { CIRCUIT_BREAKER_CONFIG: config });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `no admin endpoint given (${config} (CIRCUIT_BREAKER_CONFIG) sets no fixed admin.port): pass --url`,
    );
  });
});

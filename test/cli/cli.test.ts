import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminSnapshot } from '../../src/admin/admin-snapshot.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { ROOT, runCli, runNode, startFixtureApp, type RunningApp } from './cli-harness.js';

const TOKEN = 'cli-test-token-0123456789abcdef';
let app: RunningApp;
let noTokenApp: RunningApp;

beforeAll(async () => {
  [app, noTokenApp] = await Promise.all([startFixtureApp(TOKEN), startFixtureApp()]);
});
afterAll(async () => {
  await Promise.all([app?.stop(), noTokenApp?.stop()]);
});

describe('otel-circuit-breaker CLI against a running app', () => {
  it('status prints a table with the opened breaker first and control characters neutralised', async () => {
    const r = await runCli(['status', '--url', app.url]);
    expect(r.code).toBe(EXIT.OK);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^NAME\s+STATE\s+FAIL\s+SLOW\s+CALLS\s+OPENS\s+RECOVERY\s+LAST ERROR$/,
    );
    expect(lines[1]).toMatch(
      /^flaky\.local\s+open\s+100\.0%\s+0\.0%\s+3\s+1\s+\d+\.\ds\s+\w+: HTTP 500/,
    );
    expect(r.stdout).toContain('agent:researcher');
    expect(r.stdout).toContain('evil?[2J?[31mname');
    expect(r.stdout).not.toContain('\u001b');
    expect(lines.at(-1)).toBe(`4 breakers, 1 open - ${app.url}`);
  });

  it('status --json gives the endpoint snapshot', async () => {
    const r = await runCli(['status', '--json'], { CIRCUIT_BREAKER_ADMIN_URL: app.url });
    expect(r.code).toBe(EXIT.OK);
    const snapshot = JSON.parse(r.stdout) as AdminSnapshot;
    expect(snapshot.scope).toBe('local');
    expect(snapshot.breakers.map((b) => b.name)).toContain('flaky.local');
  });

  it('status --fail-on-open exits 5 while a breaker is open', async () => {
    const r = await runCli(['status', '--fail-on-open', '--url', app.url]);
    expect(r.code).toBe(EXIT.BREAKER_OPEN);
  });

  it('changes need the token: exit 3 without or with a wrong one, nothing changes', async () => {
    const without = await runCli(['open', 'agent:researcher', '--url', app.url]);
    expect(without.code).toBe(EXIT.AUTH);
    expect(without.stderr).toContain('needs the admin token');
    const wrong = await runCli(['open', 'agent:researcher', '--url', app.url, '--token', 'nope']);
    expect(wrong.code).toBe(EXIT.AUTH);
    const disabled = await runCli([
      'open',
      'agent:researcher',
      '--url',
      noTokenApp.url,
      '--token',
      TOKEN,
    ]);
    expect(disabled.code).toBe(EXIT.AUTH);
    expect(disabled.stderr).toContain('changes are disabled');
    const status = JSON.parse(
      (await runCli(['status', '--json', '--url', app.url])).stdout,
    ) as AdminSnapshot;
    expect(status.breakers.find((b) => b.name === 'agent:researcher')?.state).toBe('closed');
  });

  it('open and reset with the token (from env) change the breaker', async () => {
    const env = { CIRCUIT_BREAKER_ADMIN_URL: app.url, CIRCUIT_BREAKER_ADMIN_TOKEN: TOKEN };
    const opened = await runCli(['open', 'api.openai.com:443'], env);
    expect(opened.code).toBe(EXIT.OK);
    expect(opened.stdout.trim()).toBe('api.openai.com:443 forced open: closed -> forced_open');
    const reset = await runCli(['reset', 'flaky.local', '--json'], env);
    expect(reset.code).toBe(EXIT.OK);
    expect(JSON.parse(reset.stdout)).toMatchObject({
      name: 'flaky.local',
      action: 'reset',
      previousState: 'open',
      status: { state: 'closed' },
    });
    const back = await runCli(['reset', 'api.openai.com:443'], env);
    expect(back.stdout.trim()).toBe('api.openai.com:443 reset: forced_open -> closed');
  });

  it('exit 4 for an unknown breaker, 2 for an unreachable endpoint, 1 for usage errors', async () => {
    const missing = await runCli(['reset', 'no.such.host', '--url', app.url, '--token', TOKEN]);
    expect(missing.code).toBe(EXIT.NOT_FOUND);
    expect(missing.stderr).toContain('no breaker named "no.such.host"');
    const down = await runCli(['status', '--url', 'http://127.0.0.1:9', '--timeout', '2000']);
    expect(down.code).toBe(EXIT.UNREACHABLE);
    expect(down.stderr).toContain('cannot reach the admin endpoint');
    const usage = await Promise.all([
      runCli(['status']),
      runCli(['frobnicate', '--url', app.url]),
      runCli(['reset', '--url', app.url]),
      runCli(['status', '--url', 'ftp://x']),
      runCli(['watch', '--count', '0', '--url', app.url]),
    ]);
    expect(usage.map((r) => r.code)).toEqual(usage.map(() => EXIT.USAGE));
    expect((await runCli(['--help'])).code).toBe(EXIT.OK);
  });

  it('--redis against a Redis that does not answer exits 2 and never echoes the password', async () => {
    // Port 1 on loopback: nothing listens there. (The fleet view itself: test/fleet/cli-redis.test.ts.)
    const r = await runCli([
      'status',
      '--redis',
      'redis://user:secret@127.0.0.1:1',
      '--timeout',
      '500',
    ]);
    expect(r.code).toBe(EXIT.UNREACHABLE);
    expect(r.stderr).toContain('redis://127.0.0.1:1');
    expect(r.stderr).not.toContain('secret');
    const bad = await runCli(['status', '--redis', 'http://127.0.0.1:6379']);
    expect(bad.code).toBe(EXIT.USAGE);
  });

  it('watch prints plain lines per refresh when not a TTY and stops after --count', async () => {
    const r = await runCli(['watch', '--url', app.url, '--count', '2', '--interval', '50']);
    expect(r.code).toBe(EXIT.OK);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(8); // 4 breakers x 2 refreshes
    expect(
      lines.every((l) =>
        /^\d{4}-\d\d-\d\dT\S+ \S+ (closed|open|half_open|forced_open|disabled)/.test(l),
      ),
    ).toBe(true);
    expect(r.stdout).not.toContain('\u001b');
  });

  it('watch --json prints one snapshot per line', async () => {
    const r = await runCli([
      'watch',
      '--json',
      '--url',
      app.url,
      '--count',
      '2',
      '--interval',
      '50',
    ]);
    const snapshots = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AdminSnapshot);
    expect(snapshots).toHaveLength(2);
  });

  it('the built bin keeps its shebang and runs', async () => {
    const bin = resolve(ROOT, 'dist/cjs/cli/main.js');
    expect(existsSync(bin), 'run `npm run build` first (npm test does)').toBe(true);
    expect(readFileSync(bin, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    const r = await runNode([bin, 'status', '--url', app.url]);
    expect(r.code).toBe(EXIT.OK);
    expect(r.stdout).toContain('flaky.local');
  });
});

// `script` (util-linux, Debian's bsdutils) gives the CLI a real pseudo-terminal, so the in-place
// redraw is exercised. `npm test` installs it (scripts/test-setup.mjs); without it this test fails.
const SCRIPT = '/usr/bin/script';
describe('watch on a terminal', () => {
  it('redraws the table in place with state colours and restores the cursor', async () => {
    expect(
      existsSync(SCRIPT),
      `${SCRIPT} is missing: install util-linux's script (Debian: apt-get install bsdutils; npm run test:setup does)`,
    ).toBe(true);
    const tsx = resolve(ROOT, 'node_modules/tsx/dist/cli.mjs');
    const command = [
      process.execPath,
      tsx,
      'src/cli/main.ts',
      'watch',
      '--count',
      '2',
      '--interval',
      '50',
      '--url',
      app.url,
    ]
      .map((a) => `'${a}'`)
      .join(' ');
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) => k !== 'NO_COLOR' && !k.startsWith('CIRCUIT_BREAKER_'),
      ),
    );
    const r = await new Promise<{ code: number | null; out: string }>((done) => {
      const child = spawn(SCRIPT, ['-qec', command, '/dev/null'], {
        cwd: ROOT,
        env: { ...env, TERM: 'xterm-256color' },
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.on('close', (code) => done({ code, out }));
    });
    expect(r.code).toBe(EXIT.OK);
    expect(r.out).toContain('\u001b[?25l'); // cursor hidden while drawing
    expect(r.out.split('\u001b[H').length).toBeGreaterThanOrEqual(3); // two frames drawn from the top
    expect(r.out).toContain('\u001b[?25h'); // cursor restored
    expect(r.out).toContain('otel-circuit-breaker watch');
    // eslint-disable-next-line no-control-regex
    expect(r.out).toMatch(/\u001b\[3\dm(closed|open)/); // state colours
    expect(r.out).not.toContain('\u001b[2J\u001b[31m'); // the hostile breaker name stays inert
  });
});

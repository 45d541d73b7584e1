import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// scripts/test-setup.mjs runs before `npm test`: it installs the programs the suite runs (as root on
// Debian) or names the command for each missing one and stops before any test.
const root = resolve(__dirname, '../..');
const script = join(root, 'scripts/test-setup.mjs');
const TOOLS = [
  'redis-server',
  'redis-cli',
  'promtool',
  'prometheus',
  'chromium',
  'docker-compose',
  'openssl',
  'script',
];
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A PATH holding only `node` and the given system programs: every test tool is missing. */
function bareBin(extra: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'ocb-bin-'));
  dirs.push(dir);
  symlinkSync(process.execPath, join(dir, 'node'));
  for (const bin of extra) symlinkSync(`/usr/bin/${bin}`, join(dir, bin));
  return dir;
}

function setup(path: string, args: string[] = []) {
  const started = performance.now();
  const run = spawnSync(join(path, 'node'), [script, ...args], {
    env: { PATH: path, HOME: tmpdir() },
    encoding: 'utf8',
  });
  return { ...run, ms: performance.now() - started };
}

describe('test setup (pretest)', () => {
  it('runs before npm test, and CI runs the README test command', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.pretest).toBe('node scripts/test-setup.mjs');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const quickstart = readme.slice(readme.indexOf('## Quickstart'));
    const testLine = /^(npm [^#\n]*?test[^#\n]*?)\s*#/m.exec(quickstart)![1]!.trim();
    const ci = readFileSync(join(root, '.ci/run'), 'utf8').split('\n');
    expect(ci).toContain(testLine);
  });

  it('without apt-get, names each missing program and its install command, and stops at once', () => {
    const run = setup(bareBin([]));
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split('\n');
    for (const tool of TOOLS) {
      expect(lines.filter((l) => l.startsWith(`test:setup: missing ${tool} `))).toHaveLength(1);
    }
    expect(lines.find((l) => l.includes('missing promtool'))).toMatch(
      /install it with: apt-get install -y prometheus \(Debian\/Ubuntu\) or brew install prometheus/,
    );
    expect(lines.at(-1)).toBe('test:setup: no apt-get here; no test was run.');
    expect(run.ms).toBeLessThan(5_000);
  });

  it('on Debian, names the apt-get command of each package and installs nothing with --check', () => {
    const run = setup(bareBin(['apt-get', 'dpkg']), ['--check']);
    expect(run.status).toBe(1);
    const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
    expect(run.stderr).toContain(
      `test:setup: missing chromium (the status page test): install it with: ${sudo}apt-get install -y chromium`,
    );
    expect(run.stderr).toContain(`install it with: ${sudo}apt-get install -y redis-tools`);
    expect(run.stderr).toContain('--check given, nothing installed; no test was run.');
  });

  it('passes quietly once every program is on PATH and Redis answers', () => {
    const run = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});

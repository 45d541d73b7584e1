import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The tarball `npm pack` makes from the built tree (npm test builds first), installed by hand into
// a fresh consumer: its files are what a user gets, its `exports` what they can load.
const root = resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>;
  dependencies: Record<string, string>;
};
let work: string;
let consumer: string;
let files: string[];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'ocb-tarball-'));
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
      cwd: root,
      encoding: 'utf8',
    }),
  ) as { filename: string; files: { path: string }[] }[];
  files = packed!.files.map((f) => f.path).sort();

  consumer = join(work, 'app');
  const installed = join(consumer, 'node_modules', 'otel-circuit-breaker');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', [
    '-xzf',
    join(work, packed!.filename),
    '-C',
    installed,
    '--strip-components=1',
  ]);
  // The package's dependencies come from this repository's install; the package itself only from
  // the tarball (it is not linked, so a file missing from `files` fails here).
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (entry.startsWith('.') || entry === 'otel-circuit-breaker') continue;
    symlinkSync(join(root, 'node_modules', entry), join(consumer, 'node_modules', entry));
  }
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

// No SDK, no port: importing ./register must not start a Prometheus server in a test.
const env = { ...process.env, OTEL_SDK_DISABLED: 'true', CIRCUIT_BREAKER_HOSTS: 'api.example.com' };
const node = (args: string[]) =>
  execFileSync(process.execPath, args, { cwd: consumer, env, encoding: 'utf8' }).trim();

describe('the packed tarball', () => {
  it('holds the built package, its docs and the Grafana assets, and nothing from development', () => {
    const allowed = [
      /^dist\/(cjs|esm)\//,
      /^grafana\//,
      /^(README|CHANGELOG)\.md$/,
      /^LICENSE$/,
      /^package\.json$/,
      /^circuit-breakers\.example\.yaml$/,
    ];
    expect(files.filter((f) => !allowed.some((re) => re.test(f)))).toEqual([]);
    // The alert rules' promtool tests ship with the rules (docs/dashboards-and-alerts.md runs
    // them on a copy a user adapts); nothing else that is a test, fixture, bench or source file.
    const development = files.filter(
      (f) =>
        /(^|\/)(test|tests|notes|bench|fixtures|examples|src|scripts|docs)\//.test(f) &&
        !f.startsWith('grafana/prometheus/tests/'),
    );
    expect(development).toEqual([]);
    const sources = files.filter(
      (f) => (/\.ts$/.test(f) && !f.endsWith('.d.ts')) || /\.test\.[cm]?js$/.test(f),
    );
    expect(sources).toEqual([]);
    expect(files).toEqual(
      expect.arrayContaining([
        'LICENSE',
        'CHANGELOG.md',
        'README.md',
        'dist/cjs/index.js',
        'dist/cjs/index.d.ts',
        'dist/esm/index.mjs',
        'dist/esm/index.d.mts',
        'dist/cjs/store/lua/transition-6.lua',
      ]),
    );
  });

  const entries = Object.keys(pkg.exports).map((k) => k.replace(/^\./, 'otel-circuit-breaker'));

  it('exports exactly the main entry, ./register, ./semconv and ./package.json', () => {
    expect(entries).toEqual([
      'otel-circuit-breaker',
      'otel-circuit-breaker/register',
      'otel-circuit-breaker/semconv',
      'otel-circuit-breaker/package.json',
    ]);
  });

  it.each(entries)('require(%j) loads from a fresh CommonJS consumer', (spec) => {
    const out = node(['-e', `const m = require(${JSON.stringify(spec)}); console.log(typeof m);`]);
    expect(out.split('\n').at(-1)).toBe('object');
  });

  it.each(entries)('import(%j) loads from a fresh ESM consumer', (spec) => {
    const attrs = spec.endsWith('.json') ? `, { with: { type: 'json' } }` : '';
    const out = node([
      '--input-type=module',
      '-e',
      `const m = await import(${JSON.stringify(spec)}${attrs}); console.log(typeof m);`,
    ]);
    expect(out.split('\n').at(-1)).toBe('object');
  });

  it('gives ESM and CommonJS consumers the same working API', () => {
    const out = node([
      '--input-type=module',
      '-e',
      `import { breakers, CircuitOpenError } from 'otel-circuit-breaker';
       import { createRequire } from 'node:module';
       const cjs = createRequire(process.cwd() + '/x.js')('otel-circuit-breaker');
       const b = breakers.get('tarball'); b.forceOpen();
       console.log(cjs.breakers === breakers, b.rejectionError() instanceof cjs.CircuitOpenError,
         b.rejectionError() instanceof CircuitOpenError);`,
    ]);
    expect(out.split('\n').at(-1)).toBe('true true true');
  });
});

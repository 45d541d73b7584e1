import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Consumers resolve the package through its `exports` map, as an installed dependency would.
const root = resolve(__dirname, '../..');
let app: string;

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), 'ocb-consumer-'));
  mkdirSync(join(app, 'node_modules'));
  symlinkSync(root, join(app, 'node_modules', 'otel-circuit-breaker'), 'dir');
});
afterAll(() => rmSync(app, { recursive: true, force: true }));

const run = (args: string[]) =>
  execFileSync(process.execPath, args, { cwd: app, encoding: 'utf8' }).trim();

describe('package exports', () => {
  it('works from CommonJS require', () => {
    const out = run([
      '-e',
      `const { breakers, CircuitOpenError } = require('otel-circuit-breaker');
       const b = breakers.get('cjs'); b.forceOpen();
       console.log(b.rejectionError() instanceof CircuitOpenError, b.currentState);`,
    ]);
    expect(out).toBe('true forced_open');
  });

  it('works from ESM import, sharing one registry with require (no dual-package hazard)', () => {
    const out = run([
      '--input-type=module',
      '-e',
      `import { breakers } from 'otel-circuit-breaker';
       import { createRequire } from 'node:module';
       const cjs = createRequire(process.cwd() + '/x.js')('otel-circuit-breaker');
       console.log(cjs.breakers === breakers, typeof breakers.get('esm').execute);`,
    ]);
    expect(out).toBe('true function');
  });

  it('resolves the ./register subpath for both module systems', () => {
    expect(run(['-e', `console.log(require.resolve('otel-circuit-breaker/register'))`])).toMatch(
      /dist\/cjs\/register\.js$/,
    );
    expect(
      run([
        '--input-type=module',
        '-e',
        `console.log(import.meta.resolve('otel-circuit-breaker/register'))`,
      ]),
    ).toMatch(/dist\/esm\/register\.mjs$/);
  });
});

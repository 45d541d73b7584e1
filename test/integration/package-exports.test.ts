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

  it('validates with its own code: the first validation loads no module from outside the package', () => {
    const out = run([
      '-e',
      `const loaded = () => Object.keys(require.cache);
       const { breakers } = require('otel-circuit-breaker');
       const atImport = new Set(loaded());
       let message;
       try { breakers.get('cjs', { openSeconds: -1 }); } catch (error) { message = error.message; }
       const added = loaded().filter((f) => !atImport.has(f));
       console.log(JSON.stringify({ added, message }));`,
    ]);
    const result = JSON.parse(out) as { added: string[]; message: string };
    expect(result.added.filter((file) => !file.startsWith(join(root, 'dist')))).toEqual([]);
    expect(result.message).toContain(
      'overrides.openSeconds: got -1, expected a number greater than 0 and at most 86400',
    );
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

  it('gives the telemetry names from ./semconv to require and import alike, and not from the main entry', () => {
    const names = `['METRIC_STATE', 'ATTR_NAME', 'EVENT_TRANSITION', 'HEADER_CIRCUIT_BREAKER']`;
    const cjs = run([
      '-e',
      `const semconv = require('otel-circuit-breaker/semconv');
       const main = require('otel-circuit-breaker');
       console.log(JSON.stringify(${names}.map((n) => [semconv[n], n in main])));`,
    ]);
    const esm = run([
      '--input-type=module',
      '-e',
      `import * as semconv from 'otel-circuit-breaker/semconv';
       import * as main from 'otel-circuit-breaker';
       console.log(JSON.stringify(${names}.map((n) => [semconv[n], n in main])));`,
    ]);
    const expected = [
      ['circuit_breaker.state', false],
      ['circuit_breaker.name', false],
      ['circuit_breaker.transition', false],
      ['x-circuit-breaker', false],
    ];
    expect(JSON.parse(cjs)).toEqual(expected);
    expect(JSON.parse(esm)).toEqual(expected);
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

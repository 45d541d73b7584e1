import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// What a process loads at start decides what every process that preloads us pays: these check, on
// the built package as a consumer resolves it, that parts a process does not use stay unloaded until
// their first use, and that their first use still loads and runs them.
const root = resolve(__dirname, '../..');
let app: string;

beforeAll(() => {
  app = mkdtempSync(join(tmpdir(), 'ocb-loads-'));
  mkdirSync(join(app, 'node_modules'));
  symlinkSync(root, join(app, 'node_modules', 'otel-circuit-breaker'), 'dir');
});
afterAll(() => rmSync(app, { recursive: true, force: true }));

/** Prints, as JSON, what the script's `loaded()` saw: our dist files (relative) and Node built-ins. */
const PRELUDE = `
const ours = () => Object.keys(require.cache).filter((f) => f.includes('/dist/cjs/'))
  .map((f) => f.slice(f.indexOf('/dist/cjs/') + '/dist/cjs/'.length));
const builtins = () => process.moduleLoadList.filter((m) => m.startsWith('NativeModule '))
  .map((m) => m.slice('NativeModule '.length));
const packages = () => [...new Set(Object.keys(require.cache).filter((f) => !f.includes('/dist/cjs/'))
  .map((f) => f.slice(f.lastIndexOf('/node_modules/') + '/node_modules/'.length).split('/'))
  .map(([scope, name]) => (scope.startsWith('@') ? scope + '/' + name : scope)))];
const loaded = () => ({ ours: ours(), builtins: builtins(), packages: packages() });
const apiFiles = () => Object.keys(require.cache).filter((f) => f.includes('/@opentelemetry/api/')).sort();
`;

function run(args: string[], script: string, env: Record<string, string> = {}): unknown {
  const out = execFileSync(process.execPath, [...args, '-e', PRELUDE + script], {
    cwd: app,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

interface Loaded {
  ours: string[];
  builtins: string[];
  packages: string[];
}

describe('what a process loads at start', () => {
  it("require('otel-circuit-breaker') loads the entry alone; a helper loads its parts on first call", () => {
    const result = run(
      [],
      `const lib = require('otel-circuit-breaker');
       const atImport = loaded();
       lib.withFallback(async () => 'answer', { fallback: () => 'fallback' })()
         .then((answer) => console.log(JSON.stringify({ atImport, answer, after: loaded() })));`,
    ) as { atImport: Loaded; answer: string; after: Loaded };
    expect(result.atImport.ours).toEqual(['index.js']);
    expect(result.answer).toBe('answer');
    expect(result.after.ours).toEqual(
      expect.arrayContaining(['resilience/with-fallback.js', 'agents/classify-sdk-error.js']),
    );
  });

  it('register without an SDK loads no TLS, crypto, worker threads, module interceptors, Redis store, fleet sync, health checks, agent support or SDK start', () => {
    const result = run(
      ['--require', 'otel-circuit-breaker/register'],
      `const atStart = loaded();
       const { instrumentation } = globalThis[Symbol.for('otel-circuit-breaker.auto')];
       const client = instrumentation.registerAgentClient('llm', { async ask() { return 42; } });
       client.ask().then((answer) => console.log(JSON.stringify({ atStart, answer, after: loaded() })));`,
      { OTEL_SDK_DISABLED: 'true', CIRCUIT_BREAKER_HOSTS: 'api.example.com' },
    ) as { atStart: Loaded; answer: number; after: Loaded };
    expect(result.atStart.builtins).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^(https|tls|crypto|worker_threads)$/)]),
    );
    // Nor http, sockets, streams or perf_hooks: the http patch goes in when the app loads http
    // (test/integration/register.test.ts), and the startup line is written to fd 2 directly.
    expect(result.atStart.builtins.filter((m) => /^(http|net|stream|perf_hooks)$/.test(m))).toEqual(
      [],
    );
    // register hooks npm undici with Node's own module hooks, not OpenTelemetry's interceptors of
    // every require and import (CircuitBreakerInstrumentation, for apps with their own SDK, uses those).
    // Nothing is registered with the OpenTelemetry API, so nothing needs to load it yet.
    expect(result.atStart.packages).toEqual([]);
    const unused = [
      /^store\/redis-/,
      /^fleet\//,
      /^transport\/health-check\//,
      /^agents\/(?!agent-rules\.js)/, // agent-rules: where registerAgentClient finds its config
      /^auto\/(metrics-only-sdk|prometheus-endpoint)\.js$/,
      /^transport\/span-processor\.js$/,
    ];
    expect(result.atStart.ours.filter((f) => unused.some((re) => re.test(f)))).toEqual([]);
    // The patches themselves are in place from the start.
    expect(result.atStart.ours).toEqual(
      expect.arrayContaining([
        'transport/http/http-transport.js',
        'transport/undici/undici-transport.js',
      ]),
    );
    expect(result.answer).toBe(42);
    expect(result.after.ours).toContain('agents/register-agent-client.js');
  });

  it('register loads the health checks when a host has one, and https with the first https check', () => {
    const config = join(app, 'with-health-check.json');
    writeFileSync(
      config,
      JSON.stringify({ quiet: true, hosts: { 'api.example.com': { healthCheck: { path: '/' } } } }),
    );
    const result = run(
      ['--require', 'otel-circuit-breaker/register'],
      `const atStart = loaded();
       const { sendCheck } = require(require.resolve('otel-circuit-breaker/register').replace(
         'register.js', 'transport/health-check/check-request.js'));
       const check = { protocol: 'https:', hostname: '127.0.0.1', port: 1, path: '/', method: 'GET',
         intervalMs: 1000, timeoutMs: 5000, headers: {} };
       sendCheck(check, new AbortController().signal).then((answer) =>
         console.log(JSON.stringify({ atStart, failed: answer.error !== undefined, after: loaded() })));`,
      { OTEL_SDK_DISABLED: 'true', CIRCUIT_BREAKER_CONFIG: config },
    ) as { atStart: Loaded; failed: boolean; after: Loaded };
    expect(result.atStart.ours).toContain('transport/health-check/health-check-scheduler.js');
    expect(result.atStart.builtins).not.toContain('https');
    expect(result.failed).toBe(true); // nothing listens on port 1: the check ran and failed
    expect(result.after.builtins).toContain('https');
  });

  it("register's modules come from one bundle file, as the same instances the main entry loads", () => {
    const result = run(
      ['--require', 'otel-circuit-breaker/register'],
      `const atStart = loaded();
       const lib = require('otel-circuit-breaker');
       const dist = require.resolve('otel-circuit-breaker/register').replace('register.js', '');
       const errors = require(dist + 'core/errors.js');
       console.log(JSON.stringify({
         atStart,
         sameError: errors.CircuitOpenError === lib.CircuitOpenError,
         registerBreaker: lib.breakers.peek('api.example.com') !== undefined,
         stack: (() => { try { lib.breakers.get(42); } catch (e) { return e.stack; } })(),
       }));`,
      { OTEL_SDK_DISABLED: 'true', CIRCUIT_BREAKER_HOSTS: 'api.example.com' },
    ) as { atStart: Loaded; sameError: boolean; registerBreaker: boolean; stack: string };
    // Read from the bundle, yet each module is in require.cache under its own file.
    expect(result.atStart.ours).toEqual(
      expect.arrayContaining(['register.js', 'register-modules.js', 'core/errors.js']),
    );
    expect(result.sameError).toBe(true);
    expect(result.registerBreaker).toBe(true); // the breaker register made for the configured host
    // Stack traces name the module's own file and line, not the bundle.
    expect(result.stack).toMatch(/dist\/cjs\/registry\/breaker-registry\.js:\d+:\d+/);
    expect(result.stack).not.toContain('register-modules.js');
  });

  it("register's bundled sources are ASCII, and a module's non-ASCII text means what it did", () => {
    // One non-ASCII character would make the whole file a two-byte string in the process.
    const sources = readFileSync(join(root, 'dist/cjs/register-modules.txt'));
    expect(sources.every((byte) => byte < 0x80)).toBe(true);
    expect(sources.toString('latin1')).toContain('\\u00b5s'); // the duration unit, as its escape
    const result = run(
      ['--require', 'otel-circuit-breaker/register'],
      `const dist = require.resolve('otel-circuit-breaker/register').replace('register.js', '');
       const { parseGoDurationMs } = require(dist + 'core/retry-after.js');
       console.log(JSON.stringify({ ms: parseGoDurationMs('1500µs'), greek: parseGoDurationMs('2000μs') }));`,
      { OTEL_SDK_DISABLED: 'true', CIRCUIT_BREAKER_HOSTS: 'api.example.com' },
    );
    expect(result).toEqual({ ms: 2, greek: 2 });
  });

  it('register starting its own SDK takes its parts from one bundled file', async () => {
    const result = run(
      ['--require', 'otel-circuit-breaker/register'],
      `const atStart = loaded();
       const apiAtStart = apiFiles();
       const started = globalThis[Symbol.for('otel-circuit-breaker.auto')].sdk !== undefined;
       const api = require(require.resolve('@opentelemetry/api',
         { paths: [require.resolve('otel-circuit-breaker')] }));
       const provider = api.metrics.getMeterProvider().constructor.name;
       console.log(JSON.stringify({ atStart, started, provider, apiAtStart, apiAfterAppRequire: apiFiles() }));`,
      { CIRCUIT_BREAKER_HOSTS: 'api.example.com', OTEL_EXPORTER_PROMETHEUS_PORT: '0' },
    ) as {
      atStart: Loaded;
      started: boolean;
      provider: string;
      apiAtStart: string[];
      apiAfterAppRequire: string[];
    };
    expect(result.started).toBe(true);
    // The SDK's own (its ES module build names the class `MeterProvider$1`), not the API's no-op.
    expect(result.provider).toMatch(/^MeterProvider/);
    // No file of the SDK packages: resources, core, sdk-metrics, the exporter are in the bundle.
    expect(result.atStart.packages).toEqual(['@opentelemetry/api']);
    expect(result.atStart.ours).toContain('auto/sdk-parts.js');
    // The API's files, loaded by the bundle's loader, are the ones Node's require loads, under the
    // same names: the app's require of the API loads no file of its own, it gets that instance.
    const plain = run(
      [],
      `require(require.resolve('@opentelemetry/api', { paths: [require.resolve('otel-circuit-breaker')] }));
       console.log(JSON.stringify(apiFiles()));`,
    ) as string[];
    expect(result.apiAtStart).toEqual(plain);
    expect(result.apiAfterAppRequire).toEqual(result.apiAtStart);
    // The service instance id is drawn without loading node:crypto.
    expect(result.atStart.builtins).not.toContain('crypto');
  });

  it('register without an SDK loads the OpenTelemetry API only once something registers with it, and then logs to it', () => {
    const result = run(
      ['--require', 'otel-circuit-breaker/register'],
      `const atStart = loaded();
       const lib = require('otel-circuit-breaker');
       const breaker = lib.breakers.get('api.example.com');
       breaker.forceOpen(); // a transition with nothing registered: its log record goes nowhere
       breaker.reset();
       const afterTransitions = loaded();
       const from = { paths: [require.resolve('otel-circuit-breaker')] };
       const api = require(require.resolve('@opentelemetry/api', from));
       const sdkLogs = require(require.resolve('@opentelemetry/sdk-logs', from));
       const exporter = new sdkLogs.InMemoryLogRecordExporter();
       api.logs.setGlobalLoggerProvider(new sdkLogs.LoggerProvider({
         processors: [new sdkLogs.SimpleLogRecordProcessor({ exporter })],
       }));
       breaker.forceOpen();
       const records = exporter.getFinishedLogRecords().map((r) => r.eventName);
       console.log(JSON.stringify({ atStart, afterTransitions, records }));`,
      { OTEL_SDK_DISABLED: 'true', CIRCUIT_BREAKER_HOSTS: 'api.example.com' },
    ) as { atStart: Loaded; afterTransitions: Loaded; records: string[] };
    expect(result.atStart.packages).toEqual([]);
    expect(result.afterTransitions.packages).toEqual([]);
    // The transition after the app registered a logger provider reaches it.
    expect(result.records).toEqual(['circuit_breaker.transition']);
  });
});

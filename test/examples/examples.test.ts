import { spawn } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../utils/free-port.js';

// Smoke tests: each example's one documented command, as a user would run it from the repo root
// (the examples use the package name through self-reference, so `npm run build` must have run).
// Every run.mjs checks its own story and exits 0 only when the expected state change happened.
const root = resolve(__dirname, '../..');

interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

async function runExample(name: string, metricsPort?: number): Promise<RunResult> {
  const port = metricsPort ?? (await freePort());
  const child = spawn(process.execPath, [`examples/${name}/run.mjs`], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OTEL_EXPORTER_PROMETHEUS_PORT: String(port) },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // A hung example must not hang the suite: kill it well before the test timeout.
  const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
  const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Expects exit 0 and prints the example's output when it did not, so a CI failure explains itself. */
function expectPassed(result: RunResult): void {
  if (result.code !== 0) console.log(`stdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/^PASS$/m);
}

describe('examples', { timeout: 30_000 }, () => {
  it('basic-fetch: --require with a YAML config, the circuit opens and recovers', async () => {
    const result = await runExample('basic-fetch');
    expectPassed(result);
    expect(result.stdout).toContain(
      'circuit_breaker_state{circuit_breaker_name="127.0.0.1"}: closed → open',
    );
    expect(result.stdout).toMatch(
      /circuit_breaker_state\{circuit_breaker_name="127\.0\.0\.1"\}: (half_)?open → closed/,
    );
    // The printed scrape uses the label names Prometheus really has.
    expect(result.stdout).toMatch(
      /^ {2}circuit_breaker_calls_total\{circuit_breaker_name="127\.0\.0\.1",circuit_breaker_outcome="rejected"\} [1-9]/m,
    );
    expect(result.stdout).toMatch(/rejected at once: circuit breaker "127\.0\.0\.1" is open/);
  });

  it('esm-app: --import protects node:http request and undici fetch', async () => {
    const result = await runExample('esm-app');
    expectPassed(result);
    expect(result.stdout).toMatch(
      /node:http request +503, 503, 503, ECIRCUITOPEN, ECIRCUITOPEN +→ circuit open/,
    );
    expect(result.stdout).toMatch(
      /undici fetch +503, 503, 503, ECIRCUITOPEN, ECIRCUITOPEN +→ circuit open/,
    );
  });

  it("own-sdk: the app's own NodeSDK and PrometheusExporter carry the breaker metrics", async () => {
    const result = await runExample('own-sdk');
    expectPassed(result);
    expect(result.stdout).toContain('call 4: rejected, circuit open');
    expect(result.stdout).toMatch(/circuit_breaker_state\{[^}]*circuit_breaker_state="open"\} 1/);
  });

  it('llm-gateway: a 429 with Retry-After opens the circuit, the openai SDK fails at once', async () => {
    const result = await runExample('llm-gateway');
    expectPassed(result);
    expect(result.stdout).toMatch(/503 error circuit_open in \d+ ms/);
    expect(result.stdout).toContain('failure_kind="rate_limited"');
    expect(result.stdout).toContain('ok    the SDK did not retry them');
    // The question that met the 429 ends late (the SDK's own retry of it): said, not left to puzzle.
    expect(result.stdout).toMatch(
      /↳ #\d+ met the 429 itself: the SDK waited its Retry-After \(2 s\) and retried once/,
    );
  });

  it("agent-gateway: questions go to the secondary while the primary's circuit is open", async () => {
    const result = await runExample('agent-gateway');
    expectPassed(result);
    expect(result.stdout).toContain(
      'answered by secondary (primary circuit open, primary not called)',
    );
    expect(result.stdout).toContain(
      'circuit_breaker_state{circuit_breaker_name="agent:primary",circuit_breaker_state="closed"} 1',
    );
    expect(result.stdout).toContain(
      'circuit_breaker_state{circuit_breaker_name="agent:secondary",circuit_breaker_state="closed"} 1',
    );
  });

  it('no-patching: an interceptor and an agent guard their clients, a plain fetch is not', async () => {
    const result = await runExample('no-patching');
    expectPassed(result);
    expect(result.stdout).toMatch(
      /undici \+ retry \+ interceptor {2}call 4: rejected at once \(ECIRCUITOPEN\), 0 request\(s\) sent/,
    );
    expect(result.stdout).toMatch(
      /axios \+ CircuitBreakerAgent {3}call 1: rejected at once \(ECIRCUITOPEN\), 0 request\(s\) sent/,
    );
    expect(result.stdout).toMatch(
      /plain fetch \(not guarded\) {5}call 1: 503, 1 request\(s\) sent/,
    );
    expect(result.stdout).toMatch(
      /circuit_breaker_state\{circuit_breaker_name="127\.0\.0\.1:\d+",circuit_breaker_state="open"\} 1/,
    );
  });

  it('demo: the probe and its outcome are shown, the scrape comes after the last line', async () => {
    const result = await runExample('demo');
    if (result.code !== 0) console.log(`stdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    const opened = at(/closed → open +failures in a row: rejecting calls for 2\.0 s/);
    const probeFailed = at(
      /half_open → open +the probe failed \(503\): rejecting calls for 3\.0 s/,
    );
    const closed = at(/half_open → closed +the probe succeeded/);
    expect(opened).toBeGreaterThan(-1);
    expect(probeFailed).toBeGreaterThan(opened);
    expect(closed).toBeGreaterThan(probeFailed);
    expect(
      lines.filter((l) => /open → half_open +open time is over: this call is the probe/.test(l)),
    ).toHaveLength(2);
    const scrape = at(/^scrape of http:\/\/127\.0\.0\.1:\d+\/metrics/);
    const lastTick = lines.findLastIndex((l) => /^t=[ \d.]+s +ok=/.test(l));
    expect(scrape).toBeGreaterThan(lastTick);
    expect(result.stdout).toMatch(
      /circuit_breaker_transitions_total\{[^}]*circuit_breaker_from="half_open",circuit_breaker_to="open"\} 1/,
    );
    expect(result.stderr).toMatch(
      /^otel-circuit-breaker \S+: protecting 1 host \(127\.0\.0\.1:\d+\)/m,
    );
  });
});

describe(
  'examples never read metrics from a process that is not theirs',
  { timeout: 30_000 },
  () => {
    /** A server on the metrics port that answers like someone else's Prometheus endpoint. */
    async function foreignMetricsServer(): Promise<{ port: number; close: () => Promise<void> }> {
      const server = createHttpServer((_req, res) =>
        res.end(
          'target_info{process_pid="1"} 1\ncircuit_breaker_state{circuit_breaker_name="x",circuit_breaker_state="closed"} 1\n',
        ),
      );
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      const { port } = server.address() as { port: number };
      return { port, close: () => new Promise((done) => server.close(() => done())) };
    }

    // Each says the metrics are not its app's and names the variable to set.
    it.each([
      [
        'basic-fetch',
        /^FAIL {2}the metrics at \S+ come from process 1, not the app \(pid \d+\); set OTEL_EXPORTER_PROMETHEUS_PORT/m,
      ],
      ['own-sdk', /the metrics on port \d+ are not ours: set OTEL_EXPORTER_PROMETHEUS_PORT/],
      [
        'demo',
        /^FAIL {2}port \d+ is served by another process, not the demo app: set OTEL_EXPORTER_PROMETHEUS_PORT/m,
      ],
    ] as const)('%s fails loudly when its metrics port is taken', async (name, message) => {
      const foreign = await foreignMetricsServer();
      try {
        const result = await runExample(name, foreign.port);
        expect(result.code).not.toBe(0);
        expect(result.stdout).toMatch(message);
        expect(result.stdout).not.toMatch(/^PASS$/m);
      } finally {
        await foreign.close();
      }
    });
  },
);

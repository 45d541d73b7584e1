import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Smoke tests: each example's one documented command, as a user would run it from the repo root
// (the examples use the package name through self-reference, so `npm run build` must have run).
// Every run.mjs checks its own story and exits 0 only when the expected state change happened.
const root = resolve(__dirname, '../..');

/** A port nobody listens on right now, so parallel test files never collide on :9464. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

async function runExample(name: string): Promise<RunResult> {
  const port = await freePort();
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
    expect(result.stdout).toContain('circuit_breaker_state{name="127.0.0.1"}: closed → open');
    expect(result.stdout).toMatch(
      /circuit_breaker_state\{name="127\.0\.0\.1"\}: (half_)?open → closed/,
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
  });

  it("agent-gateway: questions go to the secondary while the primary's circuit is open", async () => {
    const result = await runExample('agent-gateway');
    expectPassed(result);
    expect(result.stdout).toContain(
      'answered by secondary (primary circuit open, primary not called)',
    );
    expect(result.stdout).toMatch(/circuit_breaker_state\{name="agent:primary",state="closed"\} 1/);
    expect(result.stdout).toMatch(
      /circuit_breaker_state\{name="agent:secondary",state="closed"\} 1/,
    );
  });
});

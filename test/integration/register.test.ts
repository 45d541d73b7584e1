import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

// The entry points as a user starts them: child processes with --require / --import, real
// loopback servers, the real SDK and Prometheus endpoint.
const root = resolve(__dirname, '../..');
const fixtures = resolve(__dirname, 'fixtures');

interface Upstream {
  readonly url: string;
  readonly host: string;
  requests: number;
  connections: number;
  close(): Promise<void>;
}

const toClose: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(toClose.splice(0).map((c) => c()));
});

async function upstream(status: number): Promise<Upstream> {
  const server: Server = createServer((_req, res) => {
    u.requests++;
    res.writeHead(status).end('x');
  });
  server.on('connection', () => u.connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const u: Upstream = {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests: 0,
    connections: 0,
    close: () => new Promise((r) => server.close(() => r())),
  };
  toClose.push(u.close);
  return u;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly lines: Array<Record<string, unknown>>;
}

function run(
  args: string[],
  env: Record<string, string>,
  during?: () => Promise<void>,
): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', OTEL_SERVICE_NAME: 'register-test', ...env },
    });
    let stdout = '';
    let stderr = '';
    let ran = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
      if (!ran && during !== undefined && stdout.includes('"hold"')) {
        ran = true;
        void during();
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('exit', (code) => {
      const lines = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      done({ code, stdout, stderr, lines });
    });
  });
}

describe('node --require otel-circuit-breaker/register', () => {
  it('protects a configured host: opens after failures, then rejects without connecting', async () => {
    const up = await upstream(500);
    const metricsPort = await freePort();
    const result = await run(
      ['--require', 'otel-circuit-breaker/register', `${fixtures}/fetch-app.cjs`],
      {
        TARGET_URL: up.url,
        CALLS: '6',
        HOLD_MS: '1500',
        CIRCUIT_BREAKER_HOSTS: up.host,
        CIRCUIT_BREAKER_FAILURE_THRESHOLD: '3',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
      },
    );
    expect(result.code).toBe(0);
    expect(result.lines.filter((l) => l.status === 500)).toHaveLength(3);
    const rejected = result.lines.filter((l) => l.cause === 'ECIRCUITOPEN');
    expect(rejected).toHaveLength(3);
    expect(rejected[0]).toMatchObject({ error: 'fetch failed', name: 'CircuitOpenError' });
    expect(up.requests).toBe(3);
    // Nothing reached the server after the circuit opened, not even a connection.
    expect(up.connections).toBeLessThanOrEqual(3);
  });

  it('serves the breaker metrics on OTEL_EXPORTER_PROMETHEUS_PORT with no extra config', async () => {
    const up = await upstream(500);
    const metricsPort = await freePort();
    const app = spawn(
      process.execPath,
      ['--require', 'otel-circuit-breaker/register', `${fixtures}/fetch-app.cjs`],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? '',
          TARGET_URL: up.url,
          CALLS: '4',
          HOLD_MS: '3000',
          CIRCUIT_BREAKER_HOSTS: up.host,
          CIRCUIT_BREAKER_FAILURE_THRESHOLD: '2',
          OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
        },
      },
    );
    toClose.push(async () => void app.kill());
    await new Promise<void>((r) =>
      app.stdout.on('data', (d: Buffer) => String(d).includes('cause') && r()),
    );
    await new Promise((r) => setTimeout(r, 200));
    const scraped = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(scraped).toContain(
      `circuit_breaker_state{circuit_breaker_name="${up.host}",circuit_breaker_state="open",otel_scope_name="otel-circuit-breaker"`,
    );
    expect(scraped).toMatch(
      /circuit_breaker_calls_total\{[^}]*circuit_breaker_outcome="rejected"[^}]*\} [1-9]/,
    );
    // The resource NodeSDK would describe, with a random UUID v4 as the service instance id.
    expect(scraped).toMatch(
      /target_info\{[^}]*service_instance_id="[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"/,
    );
    expect(scraped).toMatch(/target_info\{[^}]*host_name="[^"]+"[^}]*process_pid="\d+"/);
    // The URL's path and query never reach a label.
    expect(scraped).not.toContain('SECRET123');
    expect(scraped).not.toContain('/v1/x');
    await new Promise((r) => app.on('exit', r));
  });

  it('stops before the app runs when the config is invalid, naming the env var, value and what is allowed', async () => {
    const result = await run(
      ['--require', 'otel-circuit-breaker/register', `${fixtures}/fetch-app.cjs`],
      {
        TARGET_URL: 'http://127.0.0.1:9',
        CIRCUIT_BREAKER_HOSTS: 'api.example.com',
        CIRCUIT_BREAKER_FAILURE_RATE_THRESHOLD: '2',
      },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('app-started');
    expect(result.stderr).toContain('CIRCUIT_BREAKER_FAILURE_RATE_THRESHOLD');
    expect(result.stderr).toContain('failureRateThreshold');
    expect(result.stderr).toContain('2');
    expect(result.stderr).toMatch(/from 0 to 1/);
  });

  it('names the file and field for a bad config file', async () => {
    const result = await run(
      ['--require', 'otel-circuit-breaker/register', `${fixtures}/fetch-app.cjs`],
      {
        TARGET_URL: 'http://127.0.0.1:9',
        CIRCUIT_BREAKER_CONFIG: `${fixtures}/bad-config.yaml`,
      },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('app-started');
    expect(result.stderr).toContain('bad-config.yaml');
    expect(result.stderr).toContain('openSecs');
    expect(result.stderr).toContain('openSeconds');
  });

  it.each([
    ['with the SDK', { OTEL_EXPORTER_PROMETHEUS_PORT: '0' }],
    ['with OTEL_SDK_DISABLED', { OTEL_SDK_DISABLED: 'true' }],
  ])(
    "%s leaves Node's bundled undici unloaded until the app fetches, and decides that first fetch",
    async (_, env) => {
      const up = await upstream(200);
      const result = await run(
        ['--require', 'otel-circuit-breaker/register', `${fixtures}/first-fetch-app.cjs`],
        { TARGET_URL: up.url, CIRCUIT_BREAKER_HOSTS: up.host, ...env },
      );
      expect(result.code).toBe(0);
      expect(result.lines).toEqual([{ loadedBeforeFirstFetch: false, cause: 'ECIRCUITOPEN' }]);
      expect(up.connections).toBe(0);
    },
  );

  it('with OTEL_SDK_DISABLED starts no SDK (no metrics port) but still protects', async () => {
    const up = await upstream(500);
    const metricsPort = await freePort();
    const result = await run(
      ['--require', 'otel-circuit-breaker/register', `${fixtures}/fetch-app.cjs`],
      {
        TARGET_URL: up.url,
        CALLS: '3',
        CIRCUIT_BREAKER_HOSTS: up.host,
        CIRCUIT_BREAKER_FAILURE_THRESHOLD: '1',
        OTEL_SDK_DISABLED: 'true',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
      },
    );
    expect(result.code).toBe(0);
    expect(result.lines.filter((l) => l.cause === 'ECIRCUITOPEN')).toHaveLength(2);
    await expect(fetch(`http://127.0.0.1:${metricsPort}/metrics`)).rejects.toThrow();
  });

  it("joins an SDK the app preloaded: no second Prometheus endpoint, metrics on the app's exporter", async () => {
    const up = await upstream(500);
    const ownPort = await freePort();
    const ourPort = await freePort();
    const app = spawn(
      process.execPath,
      [
        '--require',
        `${fixtures}/own-sdk.cjs`,
        '--require',
        'otel-circuit-breaker/register',
        `${fixtures}/fetch-app.cjs`,
      ],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? '',
          TARGET_URL: up.url,
          CALLS: '2',
          HOLD_MS: '3000',
          CIRCUIT_BREAKER_HOSTS: up.host,
          CIRCUIT_BREAKER_FAILURE_THRESHOLD: '1',
          OWN_METRICS_PORT: String(ownPort),
          OTEL_TRACES_EXPORTER: 'none',
          OTEL_LOGS_EXPORTER: 'none',
          OTEL_EXPORTER_PROMETHEUS_PORT: String(ourPort),
        },
      },
    );
    toClose.push(async () => void app.kill());
    await new Promise<void>((r) =>
      app.stdout.on('data', (d: Buffer) => String(d).includes('cause') && r()),
    );
    const own = await (await fetch(`http://127.0.0.1:${ownPort}/metrics`)).text();
    expect(own).toContain(
      `circuit_breaker_state{circuit_breaker_name="${up.host}",circuit_breaker_state="open"`,
    );
    await expect(fetch(`http://127.0.0.1:${ourPort}/metrics`)).rejects.toThrow();
    await new Promise((r) => app.on('exit', r));
  });
});

describe('node --import otel-circuit-breaker/register (ESM)', () => {
  // Without the SDK nothing of ours loads http: the patch goes in when the app's import loads it.
  it.each([
    ['with the SDK it starts', { OTEL_EXPORTER_PROMETHEUS_PORT: '0' }],
    ['with OTEL_SDK_DISABLED=true', { OTEL_SDK_DISABLED: 'true' }],
  ])(
    'protects `import { request } from "node:http"` and `import { request } from "undici"`, %s',
    async (_, env) => {
      const up = await upstream(503);
      const result = await run(
        ['--import', 'otel-circuit-breaker/register', `${fixtures}/esm-app.mjs`],
        {
          TARGET_URL: up.url,
          CIRCUIT_BREAKER_HOSTS: up.host,
          CIRCUIT_BREAKER_FAILURE_THRESHOLD: '2',
          ...env,
        },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(result.lines).toEqual([
        { via: 'http', status: 503 },
        { via: 'undici', status: 503 },
        { via: 'http', error: 'ECIRCUITOPEN' },
        { via: 'undici', error: 'ECIRCUITOPEN' },
      ]);
      expect(up.requests).toBe(2);
    },
  );
});

describe('http loaded after register (not at its start, so a process without http never loads it)', () => {
  it.each([
    { firstLoad: 'require-http', preload: [] as string[], httpAtStart: false },
    { firstLoad: 'get-builtin-http', preload: [], httpAtStart: false },
    // Loaded before register: the patch goes in at once.
    { firstLoad: 'require-http', preload: ['--require', 'node:http'], httpAtStart: true },
  ])(
    'protects http requests: the app first gets http by $firstLoad (loaded before register: $httpAtStart)',
    async ({ firstLoad, preload, httpAtStart }) => {
      const up = await upstream(503);
      const result = await run(
        [
          ...preload,
          '--require',
          'otel-circuit-breaker/register',
          `${fixtures}/http-first-load-app.cjs`,
        ],
        {
          TARGET_URL: up.url,
          FIRST_LOAD: firstLoad,
          CIRCUIT_BREAKER_HOSTS: up.host,
          CIRCUIT_BREAKER_FAILURE_THRESHOLD: '2',
          OTEL_SDK_DISABLED: 'true',
        },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(result.lines).toEqual([
        { httpAtStart },
        { status: 503 },
        { status: 503 },
        { error: 'ECIRCUITOPEN' },
      ]);
      expect(up.requests).toBe(2);
    },
  );

  it.each(['require-https', 'get-builtin-https'])(
    "protects https requests (whose Agent is http's) when the app first gets https by %s",
    async (firstLoad) => {
      // Nothing listens on a port just freed: each attempt fails to connect, then the circuit opens.
      const port = await freePort();
      const result = await run(
        ['--require', 'otel-circuit-breaker/register', `${fixtures}/http-first-load-app.cjs`],
        {
          TARGET_URL: `https://127.0.0.1:${port}`,
          FIRST_LOAD: firstLoad,
          CIRCUIT_BREAKER_HOSTS: `127.0.0.1:${port}`,
          CIRCUIT_BREAKER_FAILURE_THRESHOLD: '2',
          OTEL_SDK_DISABLED: 'true',
        },
      );
      expect(result.code, result.stderr).toBe(0);
      expect(result.lines).toEqual([
        { httpAtStart: false },
        { error: 'ECONNREFUSED' },
        { error: 'ECONNREFUSED' },
        { error: 'ECIRCUITOPEN' },
      ]);
    },
  );
});

describe('npm undici under register, through a Client the app builds itself', () => {
  it.each([
    ['--require', 'undici-client-app.cjs'],
    ['--require', 'undici-client-app.mjs'],
    ['--import', 'undici-client-app.mjs'],
  ])('%s register, %s', async (flag, app) => {
    const up = await upstream(503);
    const result = await run([flag, 'otel-circuit-breaker/register', `${fixtures}/${app}`], {
      TARGET_URL: up.url,
      CIRCUIT_BREAKER_HOSTS: up.host,
      CIRCUIT_BREAKER_FAILURE_THRESHOLD: '2',
      OTEL_SDK_DISABLED: 'true',
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.lines).toEqual([{ status: 503 }, { status: 503 }, { error: 'ECIRCUITOPEN' }]);
    expect(up.requests).toBe(2);
  });
});

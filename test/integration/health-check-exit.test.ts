import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';

// A process whose circuit is open, with a health check in flight, still ends when its work does:
// the check timer and the check's socket are unref'd.
const REGISTER = resolve(__dirname, '../../dist/cjs/register.js');
const APP = resolve(__dirname, 'fixtures/health-check-exit-app.cjs');

let server: Server;
let checks = 0;
let dir: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/healthz')
      checks++; // and never answered
    else res.writeHead(500).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  dir = mkdtempSync(join(tmpdir(), 'cb-health-exit-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

it('a health check in flight does not keep a finished process alive', async () => {
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const file = join(dir, 'circuit-breakers.json');
  writeFileSync(
    file,
    JSON.stringify({
      quiet: true,
      hosts: {
        [host]: {
          failureThreshold: 2,
          openSeconds: 0.1,
          healthCheck: { path: '/healthz', intervalSeconds: 0.1, timeoutMs: 60_000 },
        },
      },
    }),
  );
  const child = spawn(process.execPath, ['--require', REGISTER, APP], {
    env: {
      PATH: process.env.PATH ?? '',
      CIRCUIT_BREAKER_CONFIG: file,
      UPSTREAM_URL: `http://${host}`,
      OTEL_SDK_DISABLED: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) =>
    child.once('exit', (c, s) => r([c, s])),
  );
  clearTimeout(killer);
  expect(signal).toBeNull(); // it ended by itself, not by the kill above
  expect(code).toBe(0);
  expect(JSON.parse(out.trim())).toEqual({ state: 'half_open' });
  expect(checks).toBeGreaterThanOrEqual(1);
});

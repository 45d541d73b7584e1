// Node 24's NODE_USE_ENV_PROXY=1 with HTTP_PROXY: built-in fetch goes through a local HTTP proxy,
// the same with and without the hook, and the breaker keys on the target host, never the proxy.
// A child process per run, since Node reads the variables at startup.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, startProxy, type Loopback, type Proxy } from './support/servers.js';

const require = createRequire(import.meta.url);
const tsx = require.resolve('tsx');
const fixture = resolve(__dirname, 'fixtures/env-proxy-fetch.ts');

let server: Loopback;
let proxy: Proxy;
beforeAll(async () => {
  server = await startHttpServer();
  proxy = await startProxy();
});
afterAll(async () => {
  await server.close();
  await proxy.close();
});

interface Run {
  events: string[];
  counted?: { target: number; proxy: number };
  /** Targets the proxy served during the run. */
  proxied: string[];
}

async function run(mode: string): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_USE_ENV_PROXY: '1' };
  for (const name of ['NO_PROXY', 'no_proxy', 'HTTPS_PROXY', 'https_proxy', 'http_proxy'])
    delete env[name];
  env.HTTP_PROXY = proxy.origin;
  const before = proxy.targets.length;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', tsx, fixture, server.origin, `127.0.0.1:${proxy.port}`, mode],
    { env, timeout: 30_000 },
  );
  return { ...(JSON.parse(stdout) as Run), proxied: proxy.targets.slice(before) };
}

describe(`built-in fetch, Node ${process.version}, NODE_USE_ENV_PROXY=1 and HTTP_PROXY`, () => {
  it('goes through the proxy the same way in every mode, counted on the target host', async () => {
    const plain = await run('plain');
    const target = new URL(server.origin).host;
    expect(plain.events).toEqual([
      '/hello 200 hello',
      '/fail 500 failed',
      '/echo 200 POST 9 text/plain via proxy',
    ]);
    // Not all three reach the proxy's request handler (two do, on Node 24.21); which do must not
    // change with the hook.
    expect(plain.proxied.length, 'the requests went through the proxy').toBeGreaterThan(0);
    expect(new Set(plain.proxied)).toEqual(new Set([target]));
    const rows: Record<string, Record<string, string>> = {};
    for (const mode of ['observe', 'enforce']) {
      const hooked = await run(mode);
      rows[mode] = {
        events:
          JSON.stringify(hooked.events) === JSON.stringify(plain.events) ? 'equal' : 'DIFFERENT',
      };
      expect(hooked.events, mode).toEqual(plain.events);
      expect(hooked.proxied, mode).toEqual(plain.proxied);
      expect(hooked.counted, `${mode}: counted on the target, never on the proxy`).toEqual({
        target: 3,
        proxy: 0,
      });
    }
    console.table(rows);
  });
});

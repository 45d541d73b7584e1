import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BreakerRegistry, CircuitBreakerInstrumentation, ManualClock } from '../../src/index.js';
import { CIRCUIT_BREAKER_ENV_VARS, CONFIG_FILE_ENV_VAR } from '../../src/config/env-vars.js';
import { WIRING_ROWS, type WiringContext } from './wiring-rows.js';

// Every configured value reaches the component that uses it: one row per config field sets it
// (env var, file, or code when it can only come from code) and observes the registry, a breaker
// made by a transport, the store's connections and timers, or the admin endpoint.

/** Fields only a file (or code) can set: entries, nested settings and the store's topology. */
const FILE_OR_CODE_ONLY = [
  'defaults.preset',
  'defaults.mode',
  'defaults.failOn',
  'defaults.classify',
  'hosts.<pattern>',
  'hosts.<pattern>.healthCheck',
  'agents.<name>',
  'store.type',
  'store.clusterNodes',
  'store.sentinel',
];

let servers: Server[] = [];
const urls: string[] = [];
let dir: string;

beforeAll(async () => {
  for (let i = 0; i < 2; i++) {
    const server = createServer((req, res) => res.writeHead(req.url === '/404' ? 404 : 200).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.push(server);
    urls.push(`127.0.0.1:${(server.address() as AddressInfo).port}`);
  }
  dir = mkdtempSync(join(tmpdir(), 'cb-wiring-'));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  servers = [];
  rmSync(dir, { recursive: true, force: true });
});

let running: CircuitBreakerInstrumentation | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  running?.disable();
  running = undefined;
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('config wiring', () => {
  it('has a row for every config field', () => {
    const fromEnv = CIRCUIT_BREAKER_ENV_VARS.filter((s) => s.path.length > 0).map((s) =>
      s.path.join('.'),
    );
    expect(WIRING_ROWS.map((r) => r.field).sort()).toEqual(
      [...fromEnv, ...FILE_OR_CODE_ONLY].sort(),
    );
  });

  it.each(WIRING_ROWS.map((row) => [row.field, row] as const))(
    '%s reaches its component',
    async (_field, row) => {
      const [host, otherHost] = urls as [string, string];
      const delays: number[] = [];
      const record = (ms: unknown) => void delays.push(Number(ms));
      const realTimeout = globalThis.setTimeout;
      const realInterval = globalThis.setInterval;
      // Extra arguments are passed on: undici's own timers (the fetch in a row runs through them)
      // hand their state to the callback that way.
      vi.spyOn(globalThis, 'setTimeout').mockImplementation(((
        fn: (...args: unknown[]) => void,
        ms?: number,
        ...args: unknown[]
      ) => {
        record(ms);
        return realTimeout(fn, ms, ...args);
      }) as typeof setTimeout);
      vi.spyOn(globalThis, 'setInterval').mockImplementation(((
        fn: (...args: unknown[]) => void,
        ms?: number,
        ...args: unknown[]
      ) => {
        record(ms);
        return realInterval(fn, ms, ...args);
      }) as typeof setInterval);

      const arranged = await row.arrange({ host });
      if (arranged.cleanup !== undefined) cleanups.push(arranged.cleanup);
      const env: Record<string, string> = {
        ...(row.field === 'hosts' ? {} : { CIRCUIT_BREAKER_HOSTS: host }),
        ...arranged.env,
      };
      if (arranged.file !== undefined) {
        const file = join(dir, `${row.field.replace(/\W/g, '_')}.json`);
        writeFileSync(file, JSON.stringify(arranged.file));
        env[CONFIG_FILE_ENV_VAR] = file;
      }
      const clock = new ManualClock();
      const registry = new BreakerRegistry({ clock });
      running = new CircuitBreakerInstrumentation({
        ...arranged.code,
        env,
        breakerRegistry: registry,
      });
      const ctx: WiringContext = {
        instrumentation: running,
        registry,
        clock,
        host,
        url: `http://${host}`,
        otherHost,
        otherUrl: `http://${otherHost}`,
        timerDelays: () => delays,
      };
      await arranged.check(ctx);
    },
  );
});

import { spawnSync } from 'node:child_process';
import { createServer as createTcpServer } from 'node:net';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import {
  agentBreakerOf,
  type BreakerRegistry,
  type CircuitBreakerConfig,
  type CircuitBreakerInstrumentation,
  type ManualClock,
} from '../../src/index.js';
import { PRESETS } from '../../src/core/policy.js';
import { CIRCUIT_BREAKER_ENV_VARS } from '../../src/config/env-vars.js';
import { POLICY_FIELDS, type PolicyFieldName } from '../../src/config/field-specs.js';
import type { BreakerPolicy } from '../../src/core/policy.js';
import { eventually, freePort, SHARED_REDIS_URL, uniquePrefix } from '../store/redis-harness.js';

/** What a row's check can observe: the started instrumentation and the components it drives. */
export interface WiringContext {
  readonly instrumentation: CircuitBreakerInstrumentation;
  readonly registry: BreakerRegistry;
  readonly clock: ManualClock;
  /** The configured host (`127.0.0.1:<port>`) and its URL; `/404` answers 404, anything else 200. */
  readonly host: string;
  readonly url: string;
  /** A second server that no config lists. */
  readonly otherUrl: string;
  readonly otherHost: string;
  /** Delays of every setTimeout/setInterval scheduled since the row started. */
  readonly timerDelays: () => number[];
}

export interface Arranged {
  readonly env?: Record<string, string>;
  /** Written to a JSON file named by CIRCUIT_BREAKER_CONFIG. */
  readonly file?: object;
  readonly code?: CircuitBreakerConfig;
  readonly check: (ctx: WiringContext) => Promise<void>;
  readonly cleanup?: () => Promise<void>;
}

export interface WiringRow {
  /** The config field, as a path (`defaults.openSeconds`); `<pattern>`/`<name>` stand for entries. */
  readonly field: string;
  readonly arrange: (ctx: { host: string }) => Promise<Arranged> | Arranged;
}

const REGISTER_ENTRY = resolve(__dirname, '../../dist/cjs/register.js');

const envName = (path: string): string =>
  CIRCUIT_BREAKER_ENV_VARS.find((spec) => spec.path.join('.') === path)!.name;

/** A value for each policy field that no preset's default has, so seeing it proves it arrived. */
const POLICY_VALUES: { [K in PolicyFieldName]: BreakerPolicy[K] } = {
  failureThreshold: 7,
  failureRateThreshold: 0.3,
  windowSeconds: 90,
  windowBuckets: 9,
  minimumCalls: 33,
  slowCallDurationMs: 4321,
  slowCallRateThreshold: 0.7,
  openSeconds: 45,
  backoffMultiplier: 3,
  maxOpenSeconds: 400,
  jitterRatio: 0.2,
  halfOpenMaxCalls: 4,
  successThreshold: 5,
  callTimeoutMs: 12_345,
  honorRetryAfter: false,
  quotaOpenSeconds: 999,
  mode: 'observe',
};

async function hostBreaker(ctx: WiringContext, path = '/') {
  const response = await fetch(ctx.url + path);
  await response.arrayBuffer();
  return ctx.registry.peek(ctx.host)!;
}

/** The breaker created by the transport for the host carries the field's value. */
function policyRow(key: PolicyFieldName): WiringRow {
  const field = key === 'mode' ? 'mode' : `defaults.${key}`;
  return {
    field,
    arrange: () => ({
      env: { [envName(field)]: String(POLICY_VALUES[key]) },
      check: async (ctx) => expect((await hostBreaker(ctx)).policy[key]).toBe(POLICY_VALUES[key]),
    }),
  };
}

/** In observe mode an open circuit lets the call through and counts a shadow rejection. */
async function observesWhileOpen(ctx: WiringContext): Promise<void> {
  const breaker = await hostBreaker(ctx);
  breaker.forceOpen();
  expect((await fetch(ctx.url)).status).toBe(200);
  expect(breaker.counters.shadowRejections).toBe(1);
}

/** A TCP server that records what Redis clients send, and is no Redis. */
async function recordingServer() {
  const received: string[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('data', (d) => {
      const text = d.toString('latin1');
      received.push(text);
      const commands = text.match(/^\*\d+\r$/gm)?.length ?? 0;
      // No RESP3 (the client falls back to RESP2), then +OK to anything: enough for a client to
      // send the command that shows where its config pointed it, never enough to serve it.
      socket.write((text.includes('hello') ? '-NOPROTO no\r\n' : '+OK\r\n').repeat(commands));
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    sent: () => received.join('').toLowerCase(),
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** Opening the host's breaker writes its state under `prefix` in the shared Redis. */
function keysAppearUnder(prefix: string) {
  const redis = new Redis(SHARED_REDIS_URL);
  return {
    check: async (ctx: WiringContext) => {
      const breaker = ctx.registry.get(ctx.host);
      // Transitions made before the store connected may not be written: repeat until one is.
      await eventually(async () => {
        breaker.reset();
        breaker.forceOpen();
        return (await redis.keys(`{${prefix}:*`)).length > 0;
      }, `keys ${prefix}*`);
    },
    cleanup: async () => {
      const keys = await redis.keys(`{${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  };
}

async function adminHealthAt(host: string, port: number): Promise<void> {
  await eventually(
    () =>
      fetch(`http://${host}:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      ),
    `admin endpoint on ${host}:${port}`,
  );
}

const TOKEN = 'wiring-test-token-0123456789';

export const WIRING_ROWS: readonly WiringRow[] = [
  {
    field: 'enabled',
    arrange: () => ({
      env: { [envName('enabled')]: 'false' },
      check: async (ctx) => {
        expect(ctx.instrumentation.isEnabled()).toBe(false);
        await hostBreaker(ctx);
        expect(ctx.registry.peek(ctx.host)).toBeUndefined();
      },
    }),
  },
  {
    field: 'hosts',
    arrange: ({ host }) => ({
      env: { [envName('hosts')]: host },
      check: async (ctx) => {
        expect((await hostBreaker(ctx)).counters.successes).toBe(1);
        await (await fetch(ctx.otherUrl)).arrayBuffer();
        expect(ctx.registry.peek(ctx.otherHost)).toBeUndefined();
      },
    }),
  },
  {
    field: 'preset',
    arrange: () => ({
      env: { [envName('preset')]: 'strict' },
      check: async (ctx) => expect((await hostBreaker(ctx)).policy).toEqual(PRESETS.strict),
    }),
  },
  ...(Object.keys(POLICY_FIELDS) as PolicyFieldName[]).map(policyRow),
  {
    field: 'defaults.rejectWith',
    arrange: () => ({
      env: { [envName('defaults.rejectWith')]: 'response' },
      check: async (ctx) => {
        (await hostBreaker(ctx)).forceOpen();
        expect((await fetch(ctx.url)).status).toBe(503);
      },
    }),
  },
  {
    field: 'defaults.preset',
    arrange: () => ({
      file: { defaults: { preset: 'lenient' } },
      check: async (ctx) => expect((await hostBreaker(ctx)).policy).toEqual(PRESETS.lenient),
    }),
  },
  {
    field: 'defaults.mode',
    arrange: () => ({ file: { defaults: { mode: 'observe' } }, check: observesWhileOpen }),
  },
  {
    field: 'defaults.failOn',
    arrange: () => ({
      file: { defaults: { failOn: { statuses: [404] } } },
      check: async (ctx) => expect((await hostBreaker(ctx, '/404')).counters.failures).toBe(1),
    }),
  },
  {
    field: 'defaults.classify',
    arrange: () => ({
      code: { defaults: { classify: () => 'failure' } },
      check: async (ctx) => expect((await hostBreaker(ctx)).counters.failures).toBe(1),
    }),
  },
  {
    field: 'hosts.<pattern>',
    arrange: ({ host }) => ({
      file: { hosts: { [host]: { failureThreshold: 8, rejectWith: 'response' } } },
      check: async (ctx) => {
        const breaker = await hostBreaker(ctx);
        expect(breaker.policy.failureThreshold).toBe(8);
        breaker.forceOpen();
        expect((await fetch(ctx.url)).status).toBe(503);
      },
    }),
  },
  {
    field: 'hosts.<pattern>.healthCheck',
    arrange: ({ host }) => ({
      file: {
        hosts: {
          [host]: {
            failureThreshold: 1,
            openSeconds: 0.2,
            healthCheck: { path: '/', intervalSeconds: 0.15 },
          },
        },
      },
      check: async (ctx) => {
        const breaker = await hostBreaker(ctx);
        const at: Record<string, number> = {};
        breaker.onTransition((t) => (at[t.to] ??= performance.now()));
        breaker.recordFailure();
        expect(breaker.currentState).toBe('open');
        ctx.clock.advance(200);
        // Half-open, but the check is the probe: the user call is rejected.
        await expect(fetch(ctx.url)).rejects.toThrow('fetch failed');
        await eventually(() => breaker.currentState === 'closed', 'closed by checks', 5000);
        // successThreshold (2) checks, intervalSeconds apart.
        expect(breaker.healthChecks.passed).toBe(2);
        expect(at.closed! - at.half_open!).toBeGreaterThanOrEqual(150);
      },
    }),
  },
  {
    field: 'agents.<name>',
    arrange: () => ({
      file: { agents: { researcher: { openSeconds: 77, halfOpenMaxCalls: 6 } } },
      check: async (ctx) => {
        const client = ctx.instrumentation.registerAgentClient('researcher', {
          ask: async () => 'ok',
        });
        await client.ask();
        const breaker = agentBreakerOf(client)!;
        expect(breaker.policy).toMatchObject({ openSeconds: 77, halfOpenMaxCalls: 6 });
        expect(breaker.counters.successes).toBe(1);
      },
    }),
  },
  {
    field: 'store.type',
    arrange: () => {
      const prefix = uniquePrefix('wiring-type');
      return { file: { store: { type: 'redis', keyPrefix: prefix } }, ...keysAppearUnder(prefix) };
    },
  },
  {
    field: 'store.keyPrefix',
    arrange: () => {
      const prefix = uniquePrefix('wiring-prefix');
      return {
        env: { [envName('store.keyPrefix')]: prefix, [envName('store.url')]: SHARED_REDIS_URL },
        ...keysAppearUnder(prefix),
      };
    },
  },
  ...(
    [
      ['store.url', (port: number) => ({ url: `redis://127.0.0.1:${port}` }), 'otel-cb:cmd'],
      [
        'store.clusterNodes',
        (port: number) => ({ clusterNodes: [`127.0.0.1:${port}`] }),
        'cluster',
      ],
      [
        'store.sentinel',
        (port: number) => ({
          sentinel: { sentinels: [`127.0.0.1:${port}`], name: 'wiringmaster' },
        }),
        'wiringmaster',
      ],
    ] as const
  ).map(([field, store, expected]): WiringRow => ({
    field,
    arrange: async () => {
      const server = await recordingServer();
      return {
        file: { store: { type: 'redis', ...store(server.port) } },
        check: () => eventually(() => server.sent().includes(expected), `a client at ${field}`),
        cleanup: server.close,
      };
    },
  })),
  ...(['flushIntervalMs', 'resyncIntervalMs', 'storeTimeoutMs'] as const).map(
    (key, i): WiringRow => ({
      field: `store.${key}`,
      arrange: () => {
        const ms = 4321 + i; // no other timer of ours uses these delays
        return {
          env: { [envName(`store.${key}`)]: String(ms), [envName('store.url')]: SHARED_REDIS_URL },
          check: async (ctx) => {
            // Store calls (a transition write) are raced against storeTimeoutMs.
            ctx.registry.get(ctx.host).forceOpen();
            await eventually(() => ctx.timerDelays().includes(ms), `a ${ms} ms timer`);
          },
        };
      },
    }),
  ),
  {
    field: 'admin.port',
    arrange: async () => {
      const port = await freePort();
      return {
        env: { [envName('admin.port')]: String(port) },
        check: () => adminHealthAt('127.0.0.1', port),
      };
    },
  },
  {
    field: 'admin.host',
    arrange: async () => {
      const port = await freePort();
      return {
        file: { admin: { port, host: '127.0.0.2', token: TOKEN } },
        check: async () => {
          await adminHealthAt('127.0.0.2', port);
          await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
        },
      };
    },
  },
  {
    field: 'admin.token',
    arrange: async () => {
      const port = await freePort();
      return {
        env: { [envName('admin.port')]: String(port), [envName('admin.token')]: TOKEN },
        check: async (ctx) => {
          await adminHealthAt('127.0.0.1', port);
          await hostBreaker(ctx);
          const open = `http://127.0.0.1:${port}/circuit-breakers/${ctx.host}/open`;
          expect((await fetch(open, { method: 'POST' })).status).toBe(401);
          const authorized = { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } };
          expect((await fetch(open, authorized)).status).toBe(200);
          expect(ctx.registry.peek(ctx.host)?.currentState).toBe('forced_open');
        },
      };
    },
  },
  {
    // The startup line is printed by the register entry, so this row runs it in a child process.
    field: 'quiet',
    arrange: () => ({
      env: {},
      check: async (ctx) => {
        const stderrOf = (quiet: string): string =>
          spawnSync(process.execPath, ['--require', REGISTER_ENTRY, '-e', ''], {
            encoding: 'utf8',
            env: {
              PATH: process.env.PATH ?? '',
              OTEL_SDK_DISABLED: 'true',
              CIRCUIT_BREAKER_HOSTS: ctx.host,
              [envName('quiet')]: quiet,
            },
          }).stderr;
        expect(stderrOf('false')).toContain(`protecting 1 host (${ctx.host})`);
        expect(stderrOf('true')).not.toContain('protecting');
      },
    }),
  },
  {
    field: 'registry.maxBreakers',
    arrange: () => ({
      env: { [envName('registry.maxBreakers')]: '3' },
      check: async (ctx) => {
        // The configured host has its breaker from the start.
        const before = ctx.registry.size;
        for (const name of ['a', 'b', 'c', 'd']) ctx.registry.get(name);
        expect([ctx.registry.size, ctx.registry.overflowedNames]).toEqual([3, before + 1]);
      },
    }),
  },
  {
    field: 'registry.idleEvictSeconds',
    arrange: () => ({
      env: { [envName('registry.idleEvictSeconds')]: '120' },
      check: async (ctx) => {
        // The configured host's breaker, made at start, idles alongside the one made here.
        const before = ctx.registry.size;
        ctx.registry.get('idle');
        ctx.clock.advance(119_000);
        expect(ctx.registry.evictIdle()).toBe(0);
        ctx.clock.advance(1000);
        expect(ctx.registry.evictIdle()).toBe(before + 1);
      },
    }),
  },
];

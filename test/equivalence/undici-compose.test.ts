// RetryAgent, compose() with undici's interceptors, ProxyAgent and EnvHttpProxyAgent through a
// local proxy, on undici 6/7/8: the same results with and without our hook.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  disableUndiciTransport,
  enableUndiciTransport,
} from '../../src/transport/undici/undici-transport.js';
import { rule, transportFixture } from '../transport/support/transport-fixture.js';
import { expectSameEverywhere, printTable, type Recorder } from './support/harness.js';
import { MAJORS, type Undici } from './support/majors.js';
import { settle } from './support/scenario.js';
import { startHttpServer, startProxy, type Loopback, type Proxy } from './support/servers.js';

let server: Loopback;
let proxy: Proxy;
beforeAll(async () => {
  server = await startHttpServer();
  proxy = await startProxy();
});
afterAll(async () => {
  printTable('undici RetryAgent, compose() interceptors, proxies: plain vs hooked');
  await server.close();
  await proxy.close();
});

type Case = [string, (rec: Recorder) => Promise<void>];
type Dispatcher = InstanceType<Undici['Agent']>;

let flakyRuns = 0;
/** A fresh /flaky id per run: the first request to it gets a 503, the next a 200. */
const flaky = () => server.url(`/flaky?id=${++flakyRuns}`);

const RETRY = { maxRetries: 2, minTimeout: 5, maxTimeout: 5, timeoutFactor: 1, statusCodes: [503] };

function through(
  rec: Recorder,
  make: () => Dispatcher,
  url: () => string,
  read: 'text' | 'status' = 'text',
): Promise<void> {
  return settle(rec, async () => {
    const dispatcher = make();
    try {
      const res = await (dispatcher as unknown as { request: Dispatcher['request'] }).request({
        origin: new URL(url()).origin,
        path: new URL(url()).pathname + new URL(url()).search,
        method: 'GET',
      });
      const text = await res.body.text();
      return read === 'status' ? `${res.statusCode}` : `${res.statusCode} ${text}`;
    } finally {
      await dispatcher.close();
    }
  });
}

function cases(u: Undici, major: number): Case[] {
  const i = u.interceptors as unknown as Record<string, ((opts?: object) => never) | undefined>;
  const composed = (name: string, opts?: object) => () =>
    new u.Agent().compose(i[name]!(opts)) as unknown as Dispatcher;
  const list: Case[] = [
    [
      'RetryAgent, 503 then 200',
      (rec) =>
        through(rec, () => new u.RetryAgent(new u.Agent(), RETRY) as unknown as Dispatcher, flaky),
    ],
    ['compose(retry), 503 then 200', (rec) => through(rec, composed('retry', RETRY), flaky)],
    [
      'compose(redirect)',
      (rec) =>
        through(rec, composed('redirect', { maxRedirections: 2 }), () => server.url('/redirect')),
    ],
    ['compose(dump)', (rec) => through(rec, composed('dump'), () => server.url('/big'))],
    [
      'compose(dns), localhost',
      (rec) =>
        through(rec, composed('dns'), () => server.url('/hello').replace('127.0.0.1', 'localhost')),
    ],
    [
      'ProxyAgent, http target',
      (rec) =>
        settle(rec, async () => {
          const agent = new u.ProxyAgent(proxy.origin);
          try {
            const res = await u.request(server.url('/hello'), { dispatcher: agent });
            return `${res.statusCode} ${await res.body.text()}`;
          } finally {
            await agent.close();
          }
        }),
    ],
    [
      'EnvHttpProxyAgent, http target',
      (rec) =>
        settle(rec, async () => {
          const agent = new u.EnvHttpProxyAgent({ httpProxy: proxy.origin, noProxy: '' });
          try {
            const res = await u.fetch(server.url('/hello'), { dispatcher: agent });
            return `${res.status} ${await res.text()}`;
          } finally {
            await agent.close();
          }
        }),
    ],
  ];
  if (major >= 7) {
    list.push(
      [
        'compose(decompress)',
        (rec) => through(rec, composed('decompress'), () => server.url('/gzip')),
      ],
      ['compose(cache)', (rec) => through(rec, composed('cache'), () => server.url('/hello'))],
      [
        'compose(responseError), 500',
        (rec) => through(rec, composed('responseError'), () => server.url('/fail')),
      ],
    );
  }
  return list;
}

for (const { name, u, major } of MAJORS) {
  describe(name, () => {
    for (const [feature, scenario] of cases(u, major)) {
      it(feature, async () => {
        await expectSameEverywhere(feature, name, scenario);
      });
    }
  });
}

describe('through a proxy, the breaker keys on the target host, never on the proxy', () => {
  afterEach(() => disableUndiciTransport());
  const calls = (b: { counters: { successes: number; failures: number; ignored: number } }) =>
    b.counters.successes + b.counters.failures + b.counters.ignored;
  for (const { name, u } of MAJORS) {
    for (const kind of ['ProxyAgent', 'EnvHttpProxyAgent'] as const) {
      it(`${name} ${kind}`, async () => {
        const target = `127.0.0.1:${server.port}`;
        const proxyHost = `127.0.0.1:${proxy.port}`;
        const fixture = transportFixture([rule(target), rule(proxyHost)]);
        enableUndiciTransport(fixture.resolve);
        const agent =
          kind === 'ProxyAgent'
            ? new u.ProxyAgent(proxy.origin)
            : new u.EnvHttpProxyAgent({ httpProxy: proxy.origin, noProxy: '' });
        const served = proxy.targets.length;
        try {
          const res = await u.request(server.url('/hello'), { dispatcher: agent });
          expect(await res.body.text()).toBe('hello');
        } finally {
          await agent.close();
        }
        expect(proxy.targets.length, 'the request went through the proxy').toBeGreaterThan(served);
        expect(calls(fixture.breaker(target))).toBe(1);
        expect(calls(fixture.breaker(proxyHost))).toBe(0);
      });
    }
  }
});

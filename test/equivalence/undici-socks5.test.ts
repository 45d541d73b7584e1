// undici's Socks5ProxyAgent (undici 7 and 8; undici 6 has none) through a loopback SOCKS5 proxy:
// the same results with and without us, and the breaker keys on the target host, never the proxy.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  disableUndiciTransport,
  enableUndiciTransport,
} from '../../src/transport/undici/undici-transport.js';
import { rule, transportFixture } from '../transport/support/transport-fixture.js';
import { expectSameEverywhere, printTable, type Recorder } from './support/harness.js';
import { MAJORS, type Undici } from './support/majors.js';
import { settle } from './support/scenario.js';
import { startHttpServer, type Loopback } from './support/servers.js';
import { startSocks5Proxy, type Socks5Proxy } from './support/socks5.js';

let server: Loopback;
let proxy: Socks5Proxy;
beforeAll(async () => {
  server = await startHttpServer();
  proxy = await startSocks5Proxy();
});
afterAll(async () => {
  printTable('undici Socks5ProxyAgent: plain vs hooked');
  await server.close();
  await proxy.close();
});
afterEach(() => disableUndiciTransport());

type Agent = InstanceType<Undici['Agent']>;
const socksAgent = (u: Undici): Agent =>
  new (u as unknown as { Socks5ProxyAgent: new (url: string) => Agent }).Socks5ProxyAgent(
    proxy.origin,
  );

const WITH_SOCKS = MAJORS.filter(({ u }) => 'Socks5ProxyAgent' in u);

/** A scenario and what undici itself ends it with, so equal hangs cannot pass. */
type Case = [string, (rec: Recorder) => Promise<void>, RegExp];

function cases(u: Undici): Case[] {
  const through = (flow: (agent: Agent) => Promise<string>) => (rec: Recorder) =>
    settle(rec, async () => {
      const agent = socksAgent(u);
      try {
        return await flow(agent);
      } finally {
        await agent.close();
      }
    });
  return [
    [
      'request GET',
      through(async (agent) => {
        const res = await u.request(server.url('/hello'), { dispatcher: agent });
        return `${res.statusCode} ${await res.body.text()}`;
      }),
      /^resolved 200 hello$/,
    ],
    [
      'request 500',
      through(async (agent) => {
        const res = await u.request(server.url('/fail'), { dispatcher: agent });
        return `${res.statusCode} ${await res.body.text()}`;
      }),
      /^resolved 500 failed$/,
    ],
    [
      'fetch POST',
      through(async (agent) => {
        const res = await u.fetch(server.url('/echo'), {
          dispatcher: agent,
          method: 'POST',
          body: 'socks',
        });
        return `${res.status} ${await res.text()}`;
      }),
      /^resolved 200 POST 5 text\/plain socks$/,
    ],
  ];
}

for (const { name, u } of WITH_SOCKS) {
  describe(name, () => {
    for (const [feature, scenario, outcome] of cases(u)) {
      it(feature, async () => {
        const served = proxy.targets.length;
        const events = await expectSameEverywhere(feature, name, scenario);
        expect(events.join('\n')).toMatch(outcome);
        expect(proxy.targets.length, 'every run went through the proxy').toBeGreaterThan(served);
      });
    }
  });
}

describe('Socks5ProxyAgent: the breaker keys on the target host, never on the proxy', () => {
  for (const { name, u } of WITH_SOCKS) {
    it(name, async () => {
      const target = `127.0.0.1:${server.port}`;
      const proxyHost = `127.0.0.1:${proxy.port}`;
      const fixture = transportFixture([rule(target), rule(proxyHost)]);
      enableUndiciTransport(fixture.resolve);
      const agent = socksAgent(u);
      try {
        const res = await u.request(server.url('/hello'), { dispatcher: agent });
        expect(await res.body.text()).toBe('hello');
      } finally {
        await agent.close();
      }
      expect(proxy.targets.at(-1)).toBe(target);
      const calls = (b: { counters: { successes: number; failures: number; ignored: number } }) =>
        b.counters.successes + b.counters.failures + b.counters.ignored;
      expect(calls(fixture.breaker(target))).toBe(1);
      expect(calls(fixture.breaker(proxyHost))).toBe(0);
    });
  }
});

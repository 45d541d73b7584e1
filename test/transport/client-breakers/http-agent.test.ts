// CircuitBreakerAgent / CircuitBreakerHttpsAgent with http.request, axios and got against real
// loopback servers that count connections: an open circuit opens no socket, and a request through
// the agent with the global hook on as well is decided once.
import { request as httpRequest } from 'node:http';
import axios from 'axios';
import got from 'got';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BreakerRegistry } from '../../../src/registry/breaker-registry.js';
import {
  CircuitBreakerAgent,
  CircuitBreakerHttpsAgent,
} from '../../../src/transport/http/circuit-breaker-agent.js';
import {
  disableHttpTransport,
  enableHttpTransport,
} from '../../../src/transport/http/http-transport.js';
import { createSelfSignedCertificate } from '../support/certificate.js';
import { answers, CountingServer } from '../support/counting-server.js';
import { rule, transportFixture } from '../support/transport-fixture.js';

let plain: CountingServer;
let secure: CountingServer;
beforeAll(async () => {
  plain = await CountingServer.start();
  secure = await CountingServer.start('https:', createSelfSignedCertificate());
});
afterAll(async () => {
  await plain.close();
  await secure.close();
});
afterEach(() => {
  disableHttpTransport();
  plain.reset();
  secure.reset();
});

function agents(registry = new BreakerRegistry()) {
  const options = {
    hosts: { [plain.hostPort]: {}, [secure.hostPort]: {} },
    defaults: { failureThreshold: 3, minimumCalls: 1000 },
    registry,
  };
  const http = new CircuitBreakerAgent(options, { keepAlive: true });
  const https = new CircuitBreakerHttpsAgent(options, {
    keepAlive: true,
    rejectUnauthorized: false,
  });
  const counts = (host: string) => {
    const { successes, failures, rejected } = registry.get(host).counters;
    return { successes, failures, rejected };
  };
  return { registry, http, https, counts, destroy: () => (http.destroy(), https.destroy()) };
}

const codeOf = (error: unknown): unknown => {
  const e = error as { code?: unknown; cause?: { code?: unknown } };
  return e.code ?? e.cause?.code;
};

function get(agent: CircuitBreakerAgent, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    })
      .on('error', reject)
      .end();
  });
}

describe('CircuitBreakerAgent', () => {
  it('http.request: outcomes are counted; open: ECIRCUITOPEN and no socket', async () => {
    const a = agents();
    plain.route('/down', answers.status(500));
    expect(await get(a.http, plain.url('/'))).toBe(200);
    expect(await get(a.http, plain.url('/down'))).toBe(500);
    expect(a.counts(plain.hostPort)).toEqual({ successes: 1, failures: 1, rejected: 0 });
    a.registry.get(plain.hostPort).forceOpen();
    a.destroy(); // drop the keep-alive socket, so a new request would need a new connection
    const connections = plain.connections;
    const error = await get(a.http, plain.url('/')).catch((e: unknown) => e);
    expect(codeOf(error)).toBe('ECIRCUITOPEN');
    expect(a.counts(plain.hostPort).rejected).toBe(1);
    expect(plain.connections).toBe(connections);
  });

  it('axios httpAgent and httpsAgent', async () => {
    const a = agents();
    const client = axios.create({ httpAgent: a.http, httpsAgent: a.https, proxy: false });
    expect((await client.get(plain.url('/'))).status).toBe(200);
    expect((await client.get(secure.url('/'))).status).toBe(200);
    expect(a.counts(plain.hostPort).successes).toBe(1);
    expect(a.counts(secure.hostPort).successes).toBe(1);
    a.registry.get(secure.hostPort).forceOpen();
    const before = { c: secure.connections, r: secure.requests };
    const fresh = agents(a.registry);
    const error = await axios
      .get(secure.url('/'), { httpsAgent: fresh.https, proxy: false })
      .catch((e: unknown) => e);
    expect(codeOf(error)).toBe('ECIRCUITOPEN');
    expect({ c: secure.connections, r: secure.requests }).toEqual(before);
    a.destroy();
    fresh.destroy();
  });

  it('got agent.http / agent.https: a rejection is not retried', async () => {
    const a = agents();
    const client = got.extend({
      agent: { http: a.http, https: a.https },
      https: { rejectUnauthorized: false },
      retry: { limit: 2 },
    });
    expect((await client.get(plain.url('/'))).statusCode).toBe(200);
    expect((await client.get(secure.url('/'))).statusCode).toBe(200);
    a.registry.get(plain.hostPort).forceOpen();
    a.destroy();
    const connections = plain.connections;
    const error = await client.get(plain.url('/')).catch((e: unknown) => e);
    expect(codeOf(error)).toBe('ECIRCUITOPEN');
    expect(a.counts(plain.hostPort).rejected).toBe(1);
    expect(plain.connections).toBe(connections);
  });

  it('requests to unlisted hosts and other agents are not decided', async () => {
    const registry = new BreakerRegistry();
    const agent = new CircuitBreakerAgent({ hosts: ['elsewhere.example.com'], registry });
    expect(await get(agent, plain.url('/'))).toBe(200);
    expect(registry.peek(plain.hostPort)).toBeUndefined();
    agent.destroy();
  });

  it('with the global hook on as well, a request is decided once (by the agent)', async () => {
    const fixture = transportFixture([rule(plain.hostPort)]);
    enableHttpTransport(fixture.resolve);
    const a = agents();
    expect(await get(a.http, plain.url('/'))).toBe(200);
    expect(a.counts(plain.hostPort).successes).toBe(1);
    expect(fixture.breaker(plain.hostPort).counters.successes).toBe(0);
    a.destroy();
  });

  it('options are validated like the config', () => {
    expect(
      () => new CircuitBreakerAgent({ hosts: { 'a.com': { openSeconds: 'x' } } } as never),
    ).toThrow(/code \(new CircuitBreakerAgent\): hosts\["a\.com"\]\.openSeconds/);
    expect(() => new CircuitBreakerHttpsAgent({ hosts: ['a.com'], admin: {} } as never)).toThrow(
      /code \(new CircuitBreakerHttpsAgent\)/,
    );
  });
});

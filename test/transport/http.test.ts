// http and https: request/get via CommonJS exports and ESM named imports, agent: false, a custom
// Agent, keep-alive, and axios, against loopback servers counting connections.
import { createRequire } from 'node:module';
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { get as esmGet, request as esmRequest, Agent as HttpAgent } from 'node:http';
import { request as esmHttpsRequest, Agent as HttpsAgent } from 'node:https';
import axios from 'axios';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CircuitOpenError } from '../../src/core/errors.js';
import {
  disableHttpTransport,
  enableHttpTransport,
} from '../../src/transport/http/http-transport.js';
import { createSelfSignedCertificate, type TestCertificate } from './support/certificate.js';
import { answers, CountingServer, sleep } from './support/counting-server.js';
import { rule, transportFixture, type RuleOptions } from './support/transport-fixture.js';

const require = createRequire(import.meta.url);
const cjsHttp = require('node:http') as typeof import('node:http');
const cjsHttps = require('node:https') as typeof import('node:https');

let certificate: TestCertificate;
let plain: CountingServer;
let secure: CountingServer;
let other: CountingServer;

beforeAll(async () => {
  certificate = createSelfSignedCertificate();
  plain = await CountingServer.start('http:');
  secure = await CountingServer.start('https:', certificate);
  other = await CountingServer.start('http:');
});
afterAll(async () => {
  disableHttpTransport();
  await Promise.all([plain.close(), secure.close(), other.close()]);
});
afterEach(() => {
  disableHttpTransport();
  for (const s of [plain, secure, other]) s.reset();
});

function protect(server: CountingServer, options: RuleOptions = {}) {
  const fixture = transportFixture([rule(server.hostPort, options)]);
  enableHttpTransport(fixture.resolve);
  return fixture.breaker(server.hostPort);
}

interface Outcome {
  readonly status?: number;
  readonly error?: Error;
  readonly body?: string;
}

/** Runs a request to completion: status and body, or the 'error' event. */
function settle(req: ClientRequest): Promise<Outcome> {
  return new Promise((resolve) => {
    req.on('error', (error) => resolve({ error }));
    req.on('response', (res: IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.end();
  });
}

type MakeRequest = (url: string, options: RequestOptions & { ca?: string }) => ClientRequest;

const httpClients: Array<[string, MakeRequest]> = [
  ['CommonJS http.request', (url, o) => cjsHttp.request(url, o)],
  ['CommonJS http.get', (url, o) => cjsHttp.get(url, o)],
  ['ESM named request', (url, o) => esmRequest(url, o)],
  ['ESM named get', (url, o) => esmGet(url, o)],
  ['agent: false', (url, o) => cjsHttp.request(url, { ...o, agent: false })],
  [
    'custom Agent',
    (url, o) => cjsHttp.request(url, { ...o, agent: new HttpAgent({ keepAlive: true }) }),
  ],
];

describe.each(httpClients)('http: %s', (_label, make) => {
  it('emits the CircuitOpenError as an error event, no connection', async () => {
    const breaker = protect(plain);
    breaker.forceOpen();
    const outcome = await settle(make(plain.url('/x'), {}));
    expect(outcome.error).toBeInstanceOf(CircuitOpenError);
    expect(plain.connections).toBe(0);
    expect(breaker.counters.rejected).toBe(1);
  });

  it('records 500 as failure and 404 as success at response headers', async () => {
    const breaker = protect(plain);
    plain.route('/fail', answers.status(500)).route('/missing', answers.status(404));
    expect((await settle(make(plain.url('/fail'), {}))).status).toBe(500);
    expect((await settle(make(plain.url('/missing'), {}))).status).toBe(404);
    expect(breaker.counters.failures).toBe(1);
    expect(breaker.counters.successes).toBe(1);
  });
});

const httpsClients: Array<[string, MakeRequest]> = [
  ['CommonJS https.request', (url, o) => cjsHttps.request(url, o)],
  ['CommonJS https.get', (url, o) => cjsHttps.get(url, o)],
  ['ESM named https request', (url, o) => esmHttpsRequest(url, o)],
  [
    'custom https Agent',
    (url, o) => cjsHttps.request(url, { ...o, agent: new HttpsAgent({ ca: certificate.cert }) }),
  ],
];

describe.each(httpsClients)('https: %s', (_label, make) => {
  it('rejects while open without a connection, records outcomes while closed', async () => {
    const breaker = protect(secure, { failureThreshold: 1 });
    secure.route('/fail', answers.status(503, { 'retry-after': '5' }));
    const ok = await settle(make(secure.url('/'), { ca: certificate.cert }));
    expect(ok.status).toBe(200);
    const failed = await settle(make(secure.url('/fail'), { ca: certificate.cert }));
    expect(failed.status).toBe(503);
    expect(breaker.currentState).toBe('open');
    expect(breaker.retryAfterMs()).toBeLessThanOrEqual(5000);
    const connections = secure.connections;
    const requests = secure.requests;
    const rejected = await settle(make(secure.url('/'), { ca: certificate.cert }));
    expect(rejected.error).toBeInstanceOf(CircuitOpenError);
    expect(secure.connections).toBe(connections);
    expect(secure.requests).toBe(requests);
  });
});

describe('http behaviour', () => {
  it('keeps keep-alive: sequential requests share one connection', async () => {
    protect(plain);
    const agent = new HttpAgent({ keepAlive: true });
    for (let i = 0; i < 3; i++) {
      expect((await settle(cjsHttp.request(plain.url('/'), { agent }))).status).toBe(200);
      await sleep(20);
    }
    expect(plain.requests).toBe(3);
    expect(plain.connections).toBe(1);
    agent.destroy();
  });

  it('a response nobody listens to is still drained, so the socket is reused', async () => {
    const breaker = protect(plain);
    const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
    cjsHttp.request(plain.url('/'), { agent }).end(); // no 'response' listener: Node dumps the body
    await sleep(50);
    expect((await settle(cjsHttp.request(plain.url('/'), { agent }))).status).toBe(200);
    expect(breaker.counters.successes).toBe(2);
    expect(plain.connections).toBe(1);
    agent.destroy();
  });

  it('counts req.destroy() and an AbortSignal as ignored', async () => {
    const breaker = protect(plain);
    plain.answer = answers.hang;
    const destroyed = cjsHttp.request(plain.url('/'));
    const first = settle(destroyed);
    await sleep(50);
    destroyed.destroy();
    expect((await first).error?.message).toBe('socket hang up');
    const controller = new AbortController();
    const second = settle(cjsHttp.request(plain.url('/'), { signal: controller.signal }));
    await sleep(50);
    controller.abort();
    expect((await second).error?.name).toBe('AbortError');
    await sleep(10);
    expect(breaker.counters.ignored).toBe(2);
    expect(breaker.counters.failures).toBe(0);
  });

  it('passes upgrade requests through and records them', async () => {
    const breaker = protect(plain);
    const upgradeServer = plain as unknown as { server: import('node:http').Server };
    upgradeServer.server.once('upgrade', (_req, socket) => {
      socket.end(
        'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n',
      );
    });
    const req = cjsHttp.request(plain.url('/'), {
      headers: { connection: 'upgrade', upgrade: 'test' },
    });
    const status = await new Promise<number | undefined>((resolve) => {
      req.on('upgrade', (res: IncomingMessage, socket) => {
        socket.destroy();
        resolve(res.statusCode);
      });
      req.end();
    });
    expect(status).toBe(101);
    await sleep(10);
    expect(breaker.counters.successes).toBe(1);
  });

  it('lets unlisted hosts through', async () => {
    protect(plain).forceOpen();
    expect((await settle(cjsHttp.request(other.url('/')))).status).toBe(200);
  });

  it('a host found unlisted goes straight on, and a configured one is still decided', async () => {
    const breaker = protect(plain);
    breaker.forceOpen();
    const unlisted = `http://localhost:${other.port}/`;
    for (let i = 0; i < 2; i++) {
      expect((await settle(cjsHttp.request(unlisted, { family: 4 }))).status).toBe(200);
      expect((await settle(cjsHttp.request(plain.url('/')))).error).toBeInstanceOf(
        CircuitOpenError,
      );
    }
    expect(other.requests).toBe(2);
    expect(plain.connections).toBe(0);
    expect(breaker.counters.rejected).toBe(2);
  });

  it('after disable, a request to an open host goes through', async () => {
    protect(plain).forceOpen();
    disableHttpTransport();
    expect((await settle(esmRequest(plain.url('/'), {}))).status).toBe(200);
    expect(plain.requests).toBe(1);
  });
});

describe('axios', () => {
  it('rejects with an AxiosError caused by the CircuitOpenError, no connection', async () => {
    const breaker = protect(plain, { failureThreshold: 2 });
    plain.answer = answers.status(500);
    for (let i = 0; i < 2; i++) {
      await expect(axios.get(plain.url('/'))).rejects.toMatchObject({ response: { status: 500 } });
    }
    expect(breaker.currentState).toBe('open');
    const connections = plain.connections;
    const error = (await axios.get(plain.url('/')).catch((e: unknown) => e)) as {
      code?: string;
      cause?: unknown;
    };
    expect(error.code).toBe('ECIRCUITOPEN');
    expect(error.cause).toBeInstanceOf(CircuitOpenError);
    expect(plain.connections).toBe(connections);
  });

  it('https with the test CA', async () => {
    const breaker = protect(secure);
    const client = axios.create({ httpsAgent: new HttpsAgent({ ca: certificate.cert }) });
    expect((await client.get(secure.url('/'))).data).toBe('ok');
    expect(breaker.counters.successes).toBe(1);
  });
});

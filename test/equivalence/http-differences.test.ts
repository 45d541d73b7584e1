// What the hook cannot make identical, exactly as docs/transports.md (http section) documents it:
// a request the open circuit rejects has no socket, and an admitted request carries our listeners.
import http from 'node:http';
import axios from 'axios';
import got from 'got';
import nodeFetch from 'node-fetch';
import superagent from 'superagent';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  disableHttpTransport,
  enableHttpTransport,
} from '../../src/transport/http/http-transport.js';
import { deadPort } from '../transport/support/counting-server.js';
import { rule, transportFixture } from '../transport/support/transport-fixture.js';
import { exchange } from './http-case.js';
import { EquivalenceServer } from './http-servers.js';
import { describeError, Trace } from './http-trace.js';

let server: EquivalenceServer;
let refusedUrl: string;
beforeAll(async () => {
  server = await EquivalenceServer.start();
  refusedUrl = `http://127.0.0.1:${await deadPort()}/ok`;
});
afterAll(() => server.close());
afterEach(() => {
  disableHttpTransport();
  http.globalAgent.destroy();
});

/** Opens the circuit of every 127.0.0.1 port. */
function openCircuit(): void {
  const fixture = transportFixture([rule('127.0.0.1')]);
  enableHttpTransport(fixture.resolve);
  fixture.breaker('127.0.0.1').forceOpen();
}

async function events(url: string): Promise<string[]> {
  const trace = new Trace();
  await exchange(
    trace,
    () => http.get(url),
    () => {},
  );
  return trace.events;
}

const withoutErrorText = (e: string) => e.replace(/^req error .*( @\w+)$/, 'req error$1');

describe('http: a rejected request', () => {
  it('looks like a connection that failed, minus the socket it never had', async () => {
    const refused = await events(refusedUrl);
    openCircuit();
    const rejected = await events(server.url('/ok'));
    expect(rejected.map(withoutErrorText)).toEqual(
      refused.filter((e) => !e.startsWith('req socket')).map(withoutErrorText),
    );
    expect(refused.some((e) => e.startsWith('req socket'))).toBe(true);
    expect(rejected[0]).toMatch(
      /^req error CircuitOpenError\[CircuitOpenError\] code=ECIRCUITOPEN /,
    );
    expect(rejected.every((e) => e.endsWith('@later'))).toBe(true);
  });

  const clients: Array<[string, (url: string) => Promise<unknown>, RegExp, RegExp]> = [
    [
      'axios',
      (u) => axios.get(u),
      /^AxiosError\[\w+\] code=ECONNREFUSED/,
      /^AxiosError\[CircuitOpenError\] code=ECIRCUITOPEN .* cause=\(CircuitOpenError/,
    ],
    [
      'got',
      // The refused connection without got's retries (seconds of backoff); the rejection with them.
      (u) => got(u, u === refusedUrl ? { retry: { limit: 0 } } : {}),
      /^RequestError\[RequestError\] code=ECONNREFUSED/,
      /^RequestError\[RequestError\] code=ECIRCUITOPEN .* cause=\(CircuitOpenError/,
    ],
    [
      'node-fetch',
      (u) => nodeFetch(u),
      /^FetchError\[FetchError\] code=ECONNREFUSED/,
      /^FetchError\[FetchError\] code=ECIRCUITOPEN /,
    ],
    [
      'superagent',
      (u) => superagent.get(u),
      /^Error\[Error\] code=ECONNREFUSED/,
      /^CircuitOpenError\[CircuitOpenError\] code=ECIRCUITOPEN /,
    ],
  ];
  it.each(clients)(
    '%s: fails as on a refused connection, code ECIRCUITOPEN',
    async (_name, call, refusedShape, rejectedShape) => {
      const refused = describeError(await call(refusedUrl).catch((e: unknown) => e));
      expect(refused).toMatch(refusedShape);
      const fixture = transportFixture([rule('127.0.0.1')]);
      enableHttpTransport(fixture.resolve);
      fixture.breaker('127.0.0.1').forceOpen();
      const rejected = describeError(await call(server.url('/ok')).catch((e: unknown) => e));
      expect(rejected).toMatch(rejectedShape);
      // One attempt: got's retries do not include ECIRCUITOPEN.
      expect(fixture.breaker('127.0.0.1').counters.rejected).toBe(1);
    },
  );
});

describe('http: an admitted request to a configured host', () => {
  function shape(req: http.ClientRequest) {
    return {
      socket: req.listenerCount('socket'),
      response: req.listenerCount('response'),
      error: req.listenerCount('error'),
      close: req.listenerCount('close'),
      ownDestroy: Object.hasOwn(req, 'destroy'),
      ownEmit: Object.hasOwn(req, 'emit'),
    };
  }
  async function shapeOf(): Promise<ReturnType<typeof shape>> {
    const req = http.get(server.url('/ok'), (res) => res.resume());
    const seen = shape(req);
    await new Promise((r) => req.on('close', r));
    return seen;
  }

  it('has its own emit and destroy, and no more listeners; unlisted hosts have neither', async () => {
    const bare = await shapeOf();
    expect(bare).toEqual({
      socket: 0,
      response: 1,
      error: 0,
      close: 0,
      ownDestroy: false,
      ownEmit: false,
    });
    enableHttpTransport(transportFixture([rule('localhost')]).resolve);
    expect(await shapeOf()).toEqual(bare);
    enableHttpTransport(transportFixture([rule('127.0.0.1', { mode: 'observe' })]).resolve);
    expect(await shapeOf()).toEqual({
      socket: 0,
      response: 1,
      error: 0,
      close: 0,
      ownDestroy: true,
      ownEmit: true,
    });
  });
});

describe('http: a caller that gives up before the rejection arrives', () => {
  const giveUps: Array<[string, (url: string) => http.ClientRequest]> = [
    [
      'abort()',
      (url) => {
        const req = http.get(url);
        req.abort();
        return req;
      },
    ],
    ['destroy()', (url) => http.get(url).destroy()],
    ['destroy(error)', (url) => http.get(url).destroy(new RangeError('caller reason'))],
    ['an aborted signal', (url) => http.get(url, { signal: AbortSignal.abort() })],
  ];

  async function giveUpEvents(make: () => http.ClientRequest): Promise<string[]> {
    const trace = new Trace();
    let req: http.ClientRequest | undefined;
    await exchange(
      trace,
      () => (req = make()),
      () => {},
    );
    trace.add(`destroyed=${String(req?.destroyed)} socket=${String(req?.socket)}`);
    return trace.events;
  }

  it.each(giveUps)('%s: the same events as without the hook', async (_name, giveUp) => {
    const url = server.url('/ok');
    const bare = await giveUpEvents(() => giveUp(url));
    openCircuit();
    expect(await giveUpEvents(() => giveUp(url))).toEqual(bare);
  });
});

// undici's retry interceptor and RetryAgent against our breaker on undici 6/7/8: with the circuit
// open a request fails at once with ECIRCUITOPEN, is not retried and never reaches the server; with
// the circuit closed every attempt the retry makes is one call of the breaker.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  disableUndiciTransport,
  enableUndiciTransport,
} from '../../src/transport/undici/undici-transport.js';
import { rule, transportFixture } from '../transport/support/transport-fixture.js';
import { describeError } from './support/harness.js';
import { MAJORS, type Undici } from './support/majors.js';

/** Answers 503 to the first request of every `?id=` (to all of `?id=down`) and 200 after; counts connections and requests. */
let server: Server;
let origin = '';
let connections = 0;
let requests = 0;
const seen = new Map<string, number>();
beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    const id = new URL(req.url ?? '/', 'http://x').searchParams.get('id') ?? '';
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    if (n === 1 || id === 'down') res.writeHead(503, { 'retry-after': '0' }).end('try again');
    else res.writeHead(200).end(`attempt ${n}`);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
afterEach(() => disableUndiciTransport());

/** Retries 503s and connection errors quickly, so a retry of the rejection would show at once. */
const RETRY = { maxRetries: 3, minTimeout: 5, maxTimeout: 5, timeoutFactor: 1, statusCodes: [503] };
type Dispatcher = InstanceType<Undici['Agent']>;
const retrying: Record<string, (u: Undici) => Dispatcher> = {
  'compose(retry)': (u) => new u.Agent().compose(u.interceptors.retry(RETRY)) as Dispatcher,
  RetryAgent: (u) => new u.RetryAgent(new u.Agent(), RETRY) as unknown as Dispatcher,
};

let runs = 0;
function hooked(rejectWith: 'error' | 'response' = 'error') {
  const name = new URL(origin).host;
  const fixture = transportFixture([rule(name, { rejectWith })]);
  enableUndiciTransport(fixture.resolve);
  return fixture.breaker(name);
}

async function get(dispatcher: Dispatcher, id = String(++runs)): Promise<string> {
  const res = await dispatcher.request({ origin, path: `/?id=${id}`, method: 'GET' });
  return `${res.statusCode} ${await res.body.text()}`;
}

/** How the request to `?id=` ended, as the caller can tell: result or error with its status. */
async function outcome(dispatcher: Dispatcher, id?: string): Promise<string> {
  try {
    return await get(dispatcher, id);
  } catch (error) {
    const { statusCode } = error as { statusCode?: number };
    return `${describeError(error)} status ${String(statusCode)}`;
  } finally {
    await dispatcher.close();
  }
}

const codeOf = (error: unknown): unknown => {
  const e = error as { code?: unknown; cause?: { code?: unknown } };
  return e.code ?? e.cause?.code;
};

for (const { name, u } of MAJORS) {
  for (const [kind, make] of Object.entries(retrying)) {
    describe(`${name} ${kind}`, () => {
      it('a retry into an open circuit stops: one rejection, ECIRCUITOPEN, nothing sent', async () => {
        const breaker = hooked();
        breaker.forceOpen();
        const before = { connections, requests };
        const dispatcher = make(u);
        let error: unknown;
        try {
          await get(dispatcher);
        } catch (e) {
          error = e;
        } finally {
          await dispatcher.close();
        }
        // Several retry delays: a retried rejection would have been counted again by now.
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(codeOf(error), String(error)).toBe('ECIRCUITOPEN');
        expect(breaker.counters.rejected).toBe(1);
        expect({ connections, requests }).toEqual(before);
      });

      it('rejectWith response: the synthetic 503 ends as a server answering 503 would', async () => {
        const down = await outcome(make(u), 'down');
        const before = { connections, requests };
        const breaker = hooked('response');
        breaker.forceOpen();
        expect(await outcome(make(u))).toBe(down);
        expect(breaker.counters.rejected).toBe(1 + RETRY.maxRetries);
        expect({ connections, requests }).toEqual(before);
      });

      it('with the circuit closed, every attempt of one logical request is one call', async () => {
        const breaker = hooked();
        const dispatcher = make(u);
        try {
          expect(await get(dispatcher)).toBe('200 attempt 2');
        } finally {
          await dispatcher.close();
        }
        const { successes, failures, ignored, rejected } = breaker.counters;
        expect({ successes, failures, ignored, rejected }).toEqual({
          successes: 1,
          failures: 1,
          ignored: 0,
          rejected: 0,
        });
      });
    });
  }
}

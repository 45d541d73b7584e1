// `expectContinue: true` on undici 6/7/8 (honoured over HTTP/2, where undici waits for the server's
// 100 Continue before it sends the body; ignored over HTTP/1.1): a server that answers 100, one that
// answers a final status without it, and dispatch() with body hooks. Same with and without us.
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSelfSignedCertificate,
  type TestCertificate,
} from '../transport/support/certificate.js';
import { expectSameEverywhere, printTable, type Recorder } from './support/harness.js';
import { dispatchRecorded, recordingHandler, type HandlerApi } from './support/handlers.js';
import { MAJORS, type Undici } from './support/majors.js';
import { settle } from './support/scenario.js';
import { startHttpServer, type Loopback } from './support/servers.js';

let certificate: TestCertificate;
let h2: Http2SecureServer;
let h2Origin = '';
let h1: Loopback;

/** Echoes the body; `/refuse` answers 417 at once, without a 100 Continue or reading the body. */
function startContinueServer(cert: TestCertificate): Promise<Http2SecureServer> {
  const server = createSecureServer({ ...cert, allowHTTP1: true }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () =>
      res.writeHead(200).end(`${String(req.headers.expect)} ${Buffer.concat(chunks).toString()}`),
    );
  });
  server.on('checkContinue', (req, res) => {
    if (req.url === '/refuse') {
      res.writeHead(417).end('expectation failed');
      return;
    }
    res.writeContinue();
    server.emit('request', req, res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  certificate = createSelfSignedCertificate();
  h2 = await startContinueServer(certificate);
  h2Origin = `https://127.0.0.1:${(h2.address() as AddressInfo).port}`;
  h1 = await startHttpServer();
});
afterAll(async () => {
  printTable('undici expectContinue: plain vs hooked');
  await new Promise((resolve) => h2.close(resolve));
  await h1.close();
});

/** A scenario and what undici itself records for it (its last event), so equal hangs cannot pass. */
type Case = [string, (rec: Recorder) => Promise<void>, RegExp];
type Client = InstanceType<Undici['Client']>;

function cases(u: Undici, api: HandlerApi): Case[] {
  const withClient = (rec: Recorder, flow: (client: Client) => Promise<string | void>) => {
    const client = new u.Client(h2Origin, { allowH2: true, connect: { ca: certificate.cert } });
    return settle(rec, async () => {
      try {
        return await flow(client);
      } finally {
        client.destroy();
      }
    });
  };
  const post = (path: string) => async (client: Client) => {
    const res = await client.request({ path, method: 'POST', body: 'hello', expectContinue: true });
    return `${res.statusCode} ${await res.body.text()}`;
  };
  return [
    [
      'HTTP/2, the server sends 100 Continue',
      (rec) => withClient(rec, post('/continue')),
      /^resolved 200 100-continue hello$/,
    ],
    [
      'HTTP/2, a final status without 100',
      (rec) => withClient(rec, post('/refuse')),
      /^resolved 417 expectation failed$/,
    ],
    [
      'HTTP/2 dispatch with body hooks, 100 Continue',
      (rec) =>
        withClient(rec, async (client) => {
          dispatchRecorded(
            rec,
            client,
            { path: '/continue', method: 'POST', body: 'hooks', expectContinue: true },
            recordingHandler(api, rec, { bodyHooks: true }),
          );
          await rec.finished;
        }),
      /hooks/,
    ],
    [
      'HTTP/1.1 request (expectContinue has no effect)',
      (rec) =>
        settle(rec, async () => {
          const res = await u.request(h1.url('/echo'), {
            method: 'POST',
            body: 'hello',
            expectContinue: true,
          });
          return `${res.statusCode} ${await res.body.text()}`;
        }),
      /^resolved 200 POST 5 - hello$/,
    ],
  ];
}

for (const { name, u, apis } of MAJORS) {
  for (const api of apis) {
    const column = `${name} ${api}`;
    describe(column, () => {
      for (const [feature, scenario, outcome] of cases(u, api)) {
        // One handler API is enough for the cases that do not dispatch themselves.
        if (api !== apis[0] && !feature.includes('dispatch')) continue;
        it(feature, async () => {
          const events = await expectSameEverywhere(feature, column, scenario);
          expect(events.join('\n')).toMatch(outcome);
        });
      }
    });
  }
}

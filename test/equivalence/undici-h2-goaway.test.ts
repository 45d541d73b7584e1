// HTTP/2 GOAWAY on undici 6/7/8: a server that sends GOAWAY on a session while answering its first
// stream (frames are ordered, so the client knows before that answer ends); the next request
// behaves the same with and without us.
import { constants, createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSelfSignedCertificate,
  type TestCertificate,
} from '../transport/support/certificate.js';
import {
  describeError,
  expectSameEverywhere,
  printTable,
  type Recorder,
} from './support/harness.js';
import { MAJORS, type Undici } from './support/majors.js';
import { settle } from './support/scenario.js';

let certificate: TestCertificate;
let server: Http2SecureServer;
let origin = '';
let sessionsOpened = 0;

/** Answers `session N`; `?goaway=CODE` sends GOAWAY with that error code before the body. */
function startGoawayServer(cert: TestCertificate): Promise<Http2SecureServer> {
  const h2 = createSecureServer(cert);
  h2.on('session', (session) => {
    const n = ++sessionsOpened;
    session.on('error', () => {});
    session.on('stream', (stream, headers) => {
      stream.on('error', () => {});
      const code = new URL(String(headers[':path']), 'https://x').searchParams.get('goaway');
      stream.respond({ ':status': 200 });
      if (code !== null && !session.closed) session.goaway(Number(code));
      stream.end(`session ${n}`);
    });
  });
  return new Promise((resolve) => h2.listen(0, '127.0.0.1', () => resolve(h2)));
}

beforeAll(async () => {
  certificate = createSelfSignedCertificate();
  server = await startGoawayServer(certificate);
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  printTable('undici HTTP/2 GOAWAY: plain vs hooked');
  await new Promise((resolve) => server.close(resolve));
});

/** A scenario and what undici itself ends it with, so equal hangs cannot pass. */
type Case = [string, (rec: Recorder) => Promise<void>, RegExp];

function cases(u: Undici): Case[] {
  /** Two requests in a row on one client; the first one's session gets GOAWAY `code`. */
  const twoInARow = (code: number) => (rec: Recorder) => {
    const client = new u.Client(origin, { allowH2: true, connect: { ca: certificate.cert } });
    const first = sessionsOpened;
    const label = (text: string) => text.replace(/\d+/, (n) => String(Number(n) - first));
    return settle(rec, async () => {
      try {
        for (const path of [`/a?goaway=${code}`, '/b']) {
          try {
            const res = await client.request({ path, method: 'GET' });
            rec.log(`${path} ${res.statusCode} ${label(await res.body.text())}`);
          } catch (error) {
            rec.log(`${path} failed ${describeError(error)}`);
          }
        }
      } finally {
        await client.close();
      }
    });
  };
  return [
    [
      'GOAWAY (no error) during the first answer, then a request',
      twoInARow(constants.NGHTTP2_NO_ERROR),
      // undici 6 and 7 fail the answer in flight with a SocketError, undici 8 finishes it.
      /\/b 200 session 2$/,
    ],
    [
      'GOAWAY (ENHANCE_YOUR_CALM) during the first answer, then a request',
      twoInARow(constants.NGHTTP2_ENHANCE_YOUR_CALM),
      /\/b 200 session 2$/,
    ],
  ];
}

for (const { name, u } of MAJORS) {
  describe(name, () => {
    for (const [feature, scenario, outcome] of cases(u)) {
      it(feature, async () => {
        const events = await expectSameEverywhere(feature, name, scenario);
        expect(events.join('\n')).toMatch(outcome);
      });
    }
  });
}

// HTTP/2 (`allowH2`) over TLS with a self-signed certificate on undici 6/7/8: requests, bodies,
// dispatch() with body hooks, concurrent streams on one session, fetch. Same with and without us.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, it } from 'vitest';
import {
  createSelfSignedCertificate,
  type TestCertificate,
} from '../transport/support/certificate.js';
import { expectSameEverywhere, printTable, type Recorder } from './support/harness.js';
import { dispatchRecorded, recordingHandler, type HandlerApi } from './support/handlers.js';
import { MAJORS, type Undici } from './support/majors.js';
import { settle } from './support/scenario.js';
import { startH2Server, type Loopback } from './support/servers.js';

let certificate: TestCertificate;
let server: Loopback;
beforeAll(async () => {
  certificate = createSelfSignedCertificate();
  server = await startH2Server(certificate);
});
afterAll(async () => {
  printTable('undici HTTP/2 (allowH2, TLS): plain vs hooked');
  await server.close();
});

type Case = [string, (rec: Recorder) => Promise<void>];

function cases(u: Undici, api: HandlerApi): Case[] {
  const h2Client = () =>
    new u.Client(server.origin, { allowH2: true, connect: { ca: certificate.cert } });
  const withClient = (
    rec: Recorder,
    flow: (c: InstanceType<Undici['Client']>) => Promise<string | void>,
  ) => {
    const client = h2Client();
    return settle(rec, async () => {
      try {
        return await flow(client);
      } finally {
        await client.close();
      }
    });
  };
  const list: Case[] = [
    [
      'request GET',
      (rec) =>
        withClient(rec, async (client) => {
          const res = await client.request({ path: '/get', method: 'GET' });
          return `${res.statusCode} ${String(res.headers['x-path'])} ${await res.body.text()}`;
        }),
    ],
    ...(
      [
        ['string', () => 'h2 string'],
        ['Buffer', () => Buffer.from('h2 buffer')],
        ['Readable', () => Readable.from(['h2 ', 'stream'])],
      ] as const
    ).map(([label, body]): Case => [
      `request body ${label}`,
      (rec) =>
        withClient(rec, async (client) => {
          const res = await client.request({ path: '/post', method: 'POST', body: body() });
          return await res.body.text();
        }),
    ]),
    [
      'dispatch with body hooks, string body',
      (rec) =>
        withClient(rec, async (client) => {
          dispatchRecorded(
            rec,
            client,
            { path: '/d', method: 'POST', body: 'hello from client!' },
            recordingHandler(api, rec, { bodyHooks: true }),
          );
          await rec.finished;
        }),
    ],
    [
      '5 concurrent streams',
      (rec) =>
        withClient(rec, async (client) => {
          const answers = await Promise.all(
            [1, 2, 3, 4, 5].map(async (i) => {
              const res = await client.request({ path: `/s${i}`, method: 'GET' });
              return await res.body.text();
            }),
          );
          return answers.join(', ');
        }),
    ],
    [
      'fetch through an allowH2 Agent',
      (rec) =>
        settle(rec, async () => {
          const agent = new u.Agent({ allowH2: true, connect: { ca: certificate.cert } });
          try {
            const res = await u.fetch(server.url('/f'), {
              dispatcher: agent,
              method: 'POST',
              body: 'f',
            });
            return `${res.status} ${await res.text()}`;
          } finally {
            await agent.close();
          }
        }),
    ],
  ];
  return list;
}

for (const { name, u, apis } of MAJORS) {
  for (const api of apis) {
    const column = `${name} ${api}`;
    describe(column, () => {
      for (const [feature, scenario] of cases(u, api)) {
        if (api === 'new' && name === 'undici 7' && !feature.startsWith('dispatch')) continue;
        it(feature, async () => {
          await expectSameEverywhere(feature, column, scenario);
        });
      }
    });
  }
}

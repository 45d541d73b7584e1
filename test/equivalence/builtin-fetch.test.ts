// Node's built-in fetch and WebSocket (bundled undici: 6 on Node 22, 7 on 24, 8 on 26), plain vs
// hooked. No npm undici is loaded here, so this file runs as is under each Node major
// (npm run test:compat).
import { describe, it } from 'vitest';
import { expectSameEverywhere, type Recorder, type ScenarioOptions } from './support/harness.js';
import { settle, webSocketEvents } from './support/scenario.js';
import { httpSuite } from './support/http-suite.js';

const net = httpSuite(`built-in fetch, Node ${process.version}: plain vs hooked`);

const column = `Node ${process.versions.node.split('.')[0]} (undici ${process.versions.undici})`;

type Case = [string, (rec: Recorder) => Promise<void>, ScenarioOptions?];

const text = (url: string, init?: RequestInit) =>
  fetch(url, init).then(
    async (res) => `${res.status} ${res.headers.get('x-test')} ${await res.text()}`,
  );

const cases: Case[] = [
  ['GET', (rec) => settle(rec, () => text(net.server.url('/hello')))],
  ['500', (rec) => settle(rec, () => text(net.server.url('/fail')))],
  ['connection refused', (rec) => settle(rec, () => text(net.refused))],
  [
    'signal already aborted',
    (rec) => settle(rec, () => text(net.server.url('/hello'), { signal: AbortSignal.abort() })),
    { observed: 'any' },
  ],
  [
    'AbortSignal.timeout',
    (rec) => settle(rec, () => text(net.server.url('/hang'), { signal: AbortSignal.timeout(50) })),
  ],
  [
    'aborted while reading the body',
    (rec) =>
      settle(rec, async () => {
        const controller = new AbortController();
        const res = await fetch(net.server.url('/slow'), { signal: controller.signal });
        controller.abort();
        return await res.text();
      }),
  ],
  ['redirect: follow', (rec) => settle(rec, () => text(net.server.url('/redirect')))],
  [
    'redirect: manual',
    (rec) => settle(rec, () => text(net.server.url('/redirect'), { redirect: 'manual' })),
  ],
  [
    'redirect: error',
    (rec) => settle(rec, () => text(net.server.url('/redirect'), { redirect: 'error' })),
  ],
  ['gzip body', (rec) => settle(rec, () => text(net.server.url('/gzip')))],
  [
    'WebSocket',
    (rec) => webSocketEvents(rec, (url) => new WebSocket(url) as never, net.server.url('/ws')),
  ],
];

const bodies: Array<[string, () => NonNullable<RequestInit['body']>]> = [
  ['string', () => 'a string body'],
  ['Uint8Array', () => new TextEncoder().encode('bytes body')],
  [
    'ReadableStream',
    () =>
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('web stream'));
          controller.close();
        },
      }),
  ],
  [
    'FormData',
    () => {
      const form = new FormData();
      form.append('field', 'value');
      return form;
    },
  ],
  ['Blob', () => new Blob(['blob body'], { type: 'text/x-blob' })],
  ['URLSearchParams', () => new URLSearchParams({ a: '1', b: '2' })],
];
for (const [label, body] of bodies) {
  cases.push([
    `body ${label}`,
    (rec) =>
      settle(rec, () =>
        text(net.server.url('/echo'), {
          method: 'POST',
          body: body(),
          duplex: 'half',
        } as RequestInit),
      ),
  ]);
}

describe(column, () => {
  for (const [feature, scenario, options] of cases) {
    it(feature, async () => {
      await expectSameEverywhere(feature, column, scenario, options);
    });
  }
});

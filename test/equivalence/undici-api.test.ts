// The promise and stream APIs of undici 6/7/8 (request, stream, pipeline, fetch, connect, upgrade,
// WebSocket) with every body kind and signal form: the same results and errors with and without
// our hook.
import { Readable, Writable } from 'node:stream';
import { pipeline as pipe } from 'node:stream/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  describeError,
  expectSameEverywhere,
  type Recorder,
  type ScenarioOptions,
} from './support/harness.js';
import { MAJORS, type Undici } from './support/majors.js';
import { settle, webSocketEvents } from './support/scenario.js';
import { httpSuite } from './support/http-suite.js';

const net = httpSuite(
  'undici request/stream/pipeline/fetch/connect/upgrade/WebSocket: plain vs hooked',
);

function bodies(u: Undici): Array<[string, () => unknown]> {
  return [
    ['string', () => 'a string body'],
    ['Buffer', () => Buffer.from('a buffer body')],
    ['Readable', () => Readable.from(['stream ', 'body'])],
    [
      'async iterable',
      () =>
        (async function* () {
          yield 'async ';
          yield 'iterable';
        })(),
    ],
    [
      'FormData',
      () => {
        const form = new u.FormData();
        form.append('field', 'value');
        return form;
      },
    ],
    ['Blob', () => new Blob(['blob body'], { type: 'text/x-blob' })],
  ];
}

const collect = (into: Buffer[]) =>
  new Writable({
    write(chunk: Buffer, _encoding, callback) {
      into.push(chunk);
      callback();
    },
  });

type Case = [string, (rec: Recorder) => Promise<void>, ScenarioOptions?];

/** Rejected before any dispatch on some majors: the hook may or may not see these. */
const maybeDispatched: ScenarioOptions = { observed: 'any' };

function scenarios(u: Undici): Case[] {
  const list: Case[] = [
    [
      'request GET',
      (rec) =>
        settle(rec, async () => {
          const res = await u.request(net.server.url('/hello'));
          return `${res.statusCode} ${String(res.headers['x-test'])} ${await res.body.text()}`;
        }),
    ],
    [
      'request 500',
      (rec) =>
        settle(rec, async () => {
          const res = await u.request(net.server.url('/fail'));
          return `${res.statusCode} ${await res.body.text()}`;
        }),
    ],
    [
      'request connection refused',
      (rec) => settle(rec, async () => void (await u.request(net.refused))),
    ],
    [
      'request signal already aborted',
      (rec) =>
        settle(rec, async () => {
          const signal = AbortSignal.abort(new Error('gave up before'));
          await u.request(net.server.url('/hello'), { signal });
        }),
      maybeDispatched,
    ],
    [
      'request with an invalid signal',
      (rec) =>
        settle(rec, async () => {
          await u.request(net.server.url('/hello'), { signal: 'not a signal' as never });
        }),
      maybeDispatched,
    ],
    [
      'dump() with an invalid signal',
      (rec) =>
        settle(rec, async () => {
          const res = await u.request(net.server.url('/hello'));
          try {
            return String(await res.body.dump({ limit: 1 << 20, signal: 42 as never }));
          } finally {
            await res.body.dump();
          }
        }),
    ],
    [
      'request AbortSignal.timeout',
      (rec) =>
        settle(rec, async () => {
          await u.request(net.server.url('/hang'), { signal: AbortSignal.timeout(50) });
        }),
    ],
    [
      'request aborted while reading the body',
      (rec) =>
        settle(rec, async () => {
          const controller = new AbortController();
          const res = await u.request(net.server.url('/slow'), { signal: controller.signal });
          controller.abort();
          await res.body.text();
        }),
    ],
    [
      'dump() without signal',
      (rec) =>
        settle(rec, async () => {
          const res = await u.request(net.server.url('/big'));
          return String(await res.body.dump());
        }),
    ],
    [
      'dump({ signal }) aborted',
      (rec) =>
        settle(rec, async () => {
          const res = await u.request(net.server.url('/slow'));
          const controller = new AbortController();
          const dumped = res.body.dump({ limit: 1 << 20, signal: controller.signal });
          controller.abort();
          return String(await dumped);
        }),
    ],
    [
      'dump({ signal }) already aborted',
      (rec) =>
        settle(rec, async () => {
          const res = await u.request(net.server.url('/slow'));
          try {
            return String(await res.body.dump({ limit: 1 << 20, signal: AbortSignal.abort() }));
          } finally {
            res.body.on('error', () => {});
            res.body.destroy();
          }
        }),
    ],
    [
      'stream()',
      (rec) =>
        settle(rec, async () => {
          const chunks: Buffer[] = [];
          await u.stream(net.server.url('/hello'), { method: 'GET' }, ({ statusCode }) => {
            rec.log(`factory ${statusCode}`);
            return collect(chunks);
          });
          return Buffer.concat(chunks).toString();
        }),
    ],
    [
      'pipeline()',
      (rec) =>
        settle(rec, async () => {
          const chunks: Buffer[] = [];
          await pipe(
            Readable.from(['piped ', 'body']),
            u.pipeline(net.server.url('/echo'), { method: 'POST' }, ({ statusCode, body }) => {
              rec.log(`handler ${statusCode}`);
              return body;
            }),
            collect(chunks),
          );
          return Buffer.concat(chunks).toString();
        }),
    ],
    [
      'fetch GET',
      (rec) =>
        settle(rec, async () => {
          const res = await u.fetch(net.server.url('/hello'));
          return `${res.status} ${res.headers.get('x-test')} ${await res.text()}`;
        }),
    ],
    [
      'fetch connection refused',
      (rec) => settle(rec, async () => void (await u.fetch(net.refused))),
    ],
    [
      'fetch signal already aborted',
      (rec) =>
        settle(rec, async () => {
          await u.fetch(net.server.url('/hello'), { signal: AbortSignal.abort() });
        }),
      maybeDispatched,
    ],
    [
      'fetch AbortSignal.timeout',
      (rec) =>
        settle(rec, async () => {
          await u.fetch(net.server.url('/hang'), { signal: AbortSignal.timeout(50) });
        }),
    ],
    [
      'connect()',
      (rec) =>
        settle(rec, async () => {
          const { statusCode, socket } = await u.connect(net.server.origin);
          socket.end('tunnelled');
          const chunks: Buffer[] = [];
          for await (const chunk of socket) chunks.push(chunk as Buffer);
          return `${statusCode} ${Buffer.concat(chunks).toString()}`;
        }),
    ],
    [
      'upgrade()',
      (rec) =>
        settle(rec, async () => {
          const { headers, socket } = await u.upgrade(net.server.url('/'), { protocol: 'echo' });
          socket.end('upgraded');
          const chunks: Buffer[] = [];
          for await (const chunk of socket) chunks.push(chunk as Buffer);
          return `${String(headers.upgrade)} ${Buffer.concat(chunks).toString()}`;
        }),
    ],
    [
      'WebSocket',
      (rec) => webSocketEvents(rec, (url) => new u.WebSocket(url) as never, net.server.url('/ws')),
    ],
  ];
  for (const [label, body] of bodies(u)) {
    // undici's request() does not encode FormData (the request never ends, hook or not).
    if (label !== 'FormData')
      list.push([
        `request body ${label}`,
        (rec) =>
          settle(rec, async () => {
            const res = await u.request(net.server.url('/echo'), {
              method: 'POST',
              body: body() as string,
            });
            return await res.body.text();
          }),
      ]);
    list.push([
      `fetch body ${label}`,
      (rec) =>
        settle(rec, async () => {
          const init = { method: 'POST', body: body() as string, duplex: 'half' as const };
          const res = await u.fetch(net.server.url('/echo'), init);
          return await res.text();
        }),
    ]);
  }
  return list;
}

for (const { name, u } of MAJORS) {
  describe(name, () => {
    for (const [feature, scenario, options] of scenarios(u)) {
      it(feature, async () => {
        await expectSameEverywhere(feature, name, scenario, options);
      });
    }
  });
}

/**
 * The one difference we cannot remove: a stack captured inside a handler callback (an abort made
 * from a response callback) shows the frame of our wrapper between undici's. Everything else in it
 * is the same.
 */
describe('documented difference: stack frames', () => {
  const { u } = MAJORS[2]!;
  async function abortStack(): Promise<string[]> {
    let stack = '';
    const client = new u.Client(net.server.origin);
    await new Promise<void>((resolve) => {
      // The callback form runs inside the response callback, so the abort's stack shows it.
      client.request({ path: '/slow', method: 'GET' }, (error, data) => {
        if (error) throw error;
        const controller = new AbortController();
        data.body.dump({ limit: 1 << 20, signal: controller.signal }).catch((e: Error) => {
          stack = e.stack ?? '';
          resolve();
        });
        controller.abort();
      });
    });
    await client.destroy();
    return stack
      .split('\n')
      .slice(1)
      .map((line) => line.trim().replace(/:\d+:\d+\)?$/, ''));
  }
  it('a stack captured in a callback has our frames added, nothing else changed', async () => {
    const { disableUndiciTransport } =
      await import('../../src/transport/undici/undici-transport.js');
    disableUndiciTransport();
    // With the default limit of 10 frames, our added frame pushes undici's deepest one out.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 50;
    onTestFinished(() => {
      Error.stackTraceLimit = limit;
    });
    const plain = await abortStack();
    let hooked: string[] = [];
    await expectSameEverywhere(
      'dump stack (ours removed)',
      'undici 8',
      async (rec) => {
        hooked = await abortStack();
        rec.log(
          describeError(new Error(hooked.filter((f) => !f.includes('transport/undici')).join('|'))),
        );
        rec.done();
      },
      {},
    );
    expect(hooked.filter((f) => !f.includes('transport/undici'))).toEqual(plain);
    // The difference itself: the response callback ran through our observer.
    expect(hooked.filter((f) => f.includes('transport/undici/observing-handlers'))).toHaveLength(1);
  });
});

// undici's EventSource on undici 6/7/8 against a loopback server-sent-events server: the same
// `open`/`message`/`error` events (with data, type, lastEventId and readyState) with and without us,
// through a reconnect.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSameEverywhere, printTable, type Recorder } from './support/harness.js';
import { MAJORS, type Undici } from './support/majors.js';

/**
 * `/stream` sends three events, asks for a 10 ms reconnect delay and ends; the reconnect (it carries
 * `last-event-id: 3`) gets a 204, which closes the EventSource for good. `/fail` answers 500 and
 * `/html` the wrong content type.
 */
let server: Server;
let origin = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/fail') return void res.writeHead(500).end('no');
    if (req.url === '/html') return void res.writeHead(200, { 'content-type': 'text/html' }).end();
    if (req.headers['last-event-id'] === '3') return void res.writeHead(204).end();
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    res.write('retry: 10\n\n: a comment\n\ndata: one\n\n');
    res.write('event: custom\ndata: two\ndata: lines\n\n');
    res.end('id: 3\ndata: three\n\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  printTable('undici EventSource: plain vs hooked');
  await new Promise((resolve) => server.close(resolve));
});

interface MessageLike {
  readonly type: string;
  readonly data?: unknown;
  readonly lastEventId?: string;
}

/** Logs every event until the EventSource is closed for good. */
function events(rec: Recorder, u: Undici, path: string): Promise<void> {
  const agent = new u.Agent();
  const source = new u.EventSource(`${origin}${path}`, { dispatcher: agent });
  const finished = new Promise<void>((resolve) => {
    const log = (event: MessageLike) => {
      const data = event.data === undefined ? '' : ` ${JSON.stringify(event.data)}`;
      const id = event.lastEventId ? ` id=${event.lastEventId}` : '';
      rec.log(`${event.type}${data}${id} readyState=${source.readyState}`);
      if (source.readyState === source.CLOSED) resolve();
    };
    source.addEventListener('open', log);
    source.addEventListener('message', log);
    source.addEventListener('custom', log as never);
    source.addEventListener('error', log);
  });
  return finished.then(async () => {
    source.close();
    await agent.close();
    rec.done();
  });
}

const CASES: [string, string, RegExp][] = [
  [
    'messages, a reconnect answered 204',
    '/stream',
    /^open.*\nmessage "one".*\ncustom "two\\nlines".*\nmessage "three" id=3.*\nerror readyState=0\nerror readyState=2$/,
  ],
  ['a 500 answer', '/fail', /^error readyState=2$/],
  ['the wrong content type', '/html', /^error readyState=2$/],
];

for (const { name, u } of MAJORS) {
  describe(name, () => {
    for (const [feature, path, outcome] of CASES) {
      it(feature, async () => {
        const recorded = await expectSameEverywhere(feature, name, (rec) => events(rec, u, path));
        expect(recorded.join('\n')).toMatch(outcome);
      });
    }
  });
}

import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { exchange, type EquivalenceCase } from './http-case.js';
import { closed, Trace, watchRequest, watchResponse } from './http-trace.js';

/** Gives up on a request once it was sent and the server is known to be holding it. */
function afterSent(req: ClientRequest, giveUp: (req: ClientRequest) => void): void {
  req.end();
  req.once('finish', () => setTimeout(() => giveUp(req), 20));
}

/** A request to `path` that the caller gives up on with `then` (which must also end it). */
function givenUp(name: string, path: string, then: (req: ClientRequest) => void): EquivalenceCase {
  return {
    name,
    run: ({ trace, http: s }) => exchange(trace, () => http.request(s.url(path)), then),
  };
}

/** Gives up on a response after its first body chunk. */
async function midBody(trace: Trace, url: string, giveUp: (req: ClientRequest) => void) {
  const req = trace.call(() => http.get(url));
  watchRequest(req, trace);
  const response = new Promise<void>((resolve) => {
    req.on('response', (res: IncomingMessage) => {
      res.once('data', () => giveUp(req));
      void watchResponse(res, trace).then(resolve);
    });
  });
  await closed(req);
  await response;
}

/** A tunnel ('upgrade' or 'connect'): send one message, read the echo until the server ends. */
function tunnel(trace: Trace, req: ClientRequest, event: 'upgrade' | 'connect'): Promise<void> {
  return new Promise((resolve) => {
    req.on(event, (res: IncomingMessage, socket: Socket, head: Buffer) => {
      trace.add(`${event} ${String(res.statusCode)} ${JSON.stringify(res.headers)}`);
      let data = head.toString('utf8');
      socket.on('data', (d: Buffer) => (data += d.toString('utf8')));
      socket.on('end', () => trace.add(`${event} echo ${JSON.stringify(data)}`));
      socket.on('close', () => resolve());
      socket.write('ping');
    });
    req.end();
  });
}

/** Timeouts, giving up (abort, destroy, signals) at each stage, tunnels and 100-continue. */
export const lifecycleCases: EquivalenceCase[] = [
  {
    name: 'req.setTimeout then destroy',
    run: ({ trace, http: s }) =>
      exchange(
        trace,
        () => http.request(s.url('/hang')),
        (req) => {
          req.setTimeout(50, () => {
            trace.add('timeout callback');
            req.destroy();
          });
          req.end();
        },
      ),
  },
  {
    name: 'timeout option',
    run: ({ trace, http: s }) =>
      exchange(
        trace,
        () => http.request(s.url('/hang'), { timeout: 50 }),
        (req) => {
          req.on('timeout', () => req.destroy(new Error('gave up waiting')));
          req.end();
        },
      ),
  },
  givenUp('destroy() before response, same tick', '/ok', (req) => req.destroy()),
  givenUp('destroy() before response, once sent', '/hang', (req) =>
    afterSent(req, (r) => r.destroy()),
  ),
  givenUp('destroy(error) once sent', '/hang', (req) =>
    afterSent(req, (r) => r.destroy(new RangeError('caller reason'))),
  ),
  givenUp('abort() before response, same tick', '/ok', (req) => req.abort()),
  givenUp('abort() before response, once sent', '/hang', (req) => afterSent(req, (r) => r.abort())),
  {
    name: 'destroy() after response',
    run: ({ trace, http: s }) => midBody(trace, s.url('/partial'), (req) => req.destroy()),
  },
  {
    name: 'abort() after response',
    run: ({ trace, http: s }) => midBody(trace, s.url('/partial'), (req) => req.abort()),
  },
  {
    name: 'AbortSignal once sent',
    run: ({ trace, http: s }) => {
      const controller = new AbortController();
      return exchange(
        trace,
        () => http.request(s.url('/hang'), { signal: controller.signal }),
        (req) => afterSent(req, () => controller.abort()),
      );
    },
  },
  {
    name: 'AbortSignal already aborted',
    run: ({ trace, http: s }) =>
      exchange(trace, () => http.request(s.url('/ok'), { signal: AbortSignal.abort() })),
  },
  {
    name: "'upgrade'",
    run: async ({ trace, http: s }) => {
      const req = trace.call(() =>
        http.request(s.url('/ok'), { headers: { connection: 'upgrade', upgrade: 'echo' } }),
      );
      watchRequest(req, trace);
      await tunnel(trace, req, 'upgrade');
      await closed(req);
    },
  },
  {
    name: "'connect'",
    run: async ({ trace, http: s }) => {
      const req = trace.call(() =>
        http.request({
          host: '127.0.0.1',
          port: s.port,
          method: 'CONNECT',
          path: 'example.test:443',
        }),
      );
      watchRequest(req, trace);
      await tunnel(trace, req, 'connect');
      await closed(req);
    },
  },
  {
    name: "'upgrade' nobody listens to",
    run: ({ trace, http: s }) =>
      exchange(trace, () =>
        http.request(s.url('/ok'), { headers: { connection: 'upgrade', upgrade: 'echo' } }),
      ),
  },
  {
    name: 'expect: 100-continue',
    run: ({ trace, http: s }) =>
      exchange(
        trace,
        () => http.request(s.url('/echo'), { method: 'POST', headers: { expect: '100-continue' } }),
        (req) => req.once('continue', () => req.end('after continue')),
      ),
  },
];

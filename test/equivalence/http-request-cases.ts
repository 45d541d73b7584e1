import http, { type ClientRequest } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { Readable } from 'node:stream';
import { exchange, type EquivalenceCase } from './http-case.js';
import { closed, describeError, watchRequest } from './http-trace.js';

/** Plain requests, agents and bodies through node:http and node:https. */
export const requestCases: EquivalenceCase[] = [
  {
    name: 'http.request GET',
    run: ({ trace, http: s }) => exchange(trace, () => http.request(s.url('/ok'))),
  },
  {
    name: 'http.get 500',
    run: ({ trace, http: s }) =>
      exchange(
        trace,
        () => http.get(s.url('/fail')),
        () => {},
      ),
  },
  {
    name: 'http.get 404',
    run: ({ trace, http: s }) =>
      exchange(
        trace,
        () => http.get(s.url('/missing')),
        () => {},
      ),
  },
  {
    name: 'http.request refused',
    run: ({ trace, deadPort }) =>
      exchange(trace, () => http.request({ host: '127.0.0.1', port: deadPort, path: '/' })),
  },
  {
    name: 'https.request GET',
    run: ({ trace, https: s, ca }) => exchange(trace, () => https.request(s.url('/ok'), { ca })),
  },
  {
    name: 'https.get JSON',
    run: ({ trace, https: s, ca }) =>
      exchange(
        trace,
        () => https.get(s.url('/json'), { ca }),
        () => {},
      ),
  },
  {
    name: 'https untrusted certificate',
    run: ({ trace, https: s }) =>
      exchange(
        trace,
        () => https.get(s.url('/ok')),
        () => {},
      ),
  },
  {
    name: 'early hints (information)',
    run: ({ trace, http: s }) =>
      exchange(
        trace,
        () => http.get(s.url('/early-hints')),
        () => {},
      ),
  },
  {
    name: 'invalid header throws',
    unseen: true,
    run: ({ trace, http: s }) => {
      try {
        trace.call(() => http.request(s.url('/ok'), { headers: { 'x-bad': 'a\nb' } }));
        return Promise.resolve('no throw');
      } catch (error) {
        return Promise.resolve(describeError(error));
      }
    },
  },
  {
    name: 'keep-alive Agent, maxSockets 1, 3 at once',
    run: async ({ trace, http: s }) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      await Promise.all(
        [1, 2, 3].map(() =>
          exchange(
            trace,
            () => http.get(s.url('/ok'), { agent }),
            () => {},
          ),
        ),
      );
      agent.destroy();
    },
  },
  {
    name: 'keep-alive Agent, one after another',
    run: async ({ trace, http: s }) => {
      const agent = new http.Agent({ keepAlive: true });
      for (let i = 0; i < 3; i++) {
        await exchange(
          trace,
          () => http.get(s.url('/ok'), { agent }),
          () => {},
        );
      }
      agent.destroy();
    },
  },
  {
    name: 'keep-alive Agent, maxSockets 2, 4 at once',
    run: async ({ http: s }) => {
      // Which socket serves which request races; how many sockets and reuses there are does not.
      const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
      const sockets = new Set<net.Socket>();
      let reused = 0;
      const statuses = await Promise.all(
        [1, 2, 3, 4].map(
          () =>
            new Promise<number | undefined>((resolve) => {
              const req = http.get(s.url('/ok'), { agent }, (res) => {
                res.resume();
                res.on('end', () => resolve(res.statusCode));
              });
              req.on('socket', (socket: net.Socket) => {
                sockets.add(socket);
                if (req.reusedSocket) reused++;
              });
            }),
        ),
      );
      agent.destroy();
      return { statuses, sockets: sockets.size, reused };
    },
  },
  {
    name: 'https keep-alive Agent reuse',
    run: async ({ trace, https: s, ca }) => {
      const agent = new https.Agent({ keepAlive: true, ca });
      for (let i = 0; i < 2; i++) {
        await exchange(
          trace,
          () => https.get(s.url('/ok'), { agent }),
          () => {},
        );
      }
      agent.destroy();
    },
  },
  {
    name: 'response nobody reads, socket reused',
    run: async ({ trace, http: s }) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const first = trace.call(() => http.get(s.url('/ok'), { agent }));
      watchRequest(first, trace, 'first');
      await closed(first);
      // Node dumps a response no one listens to (`_dump()`, which also marks it as dumped).
      trace.add(`first dumped=${String((first as { res?: { _dumped?: boolean } }).res?._dumped)}`);
      await exchange(
        trace,
        () => http.get(s.url('/ok'), { agent }),
        () => {},
      );
      agent.destroy();
    },
  },
  {
    name: 'agent: false',
    run: ({ trace, http: s }) =>
      exchange(
        trace,
        () => http.get(s.url('/ok'), { agent: false }),
        () => {},
      ),
  },
  {
    name: 'createConnection option',
    unseen: true,
    run: ({ trace, http: s }) =>
      exchange(trace, () =>
        http.request(s.url('/ok'), {
          createConnection: () => net.createConnection(s.port, '127.0.0.1'),
        }),
      ),
  },
  {
    name: 'Agent subclass with createConnection',
    run: async ({ trace, http: s }) => {
      class TunnelAgent extends http.Agent {
        override createConnection(options: http.ClientRequestArgs): net.Socket {
          trace.add('agent createConnection');
          return net.createConnection(options as net.NetConnectOpts);
        }
      }
      const agent = new TunnelAgent();
      await exchange(
        trace,
        () => http.get(s.url('/ok'), { agent }),
        () => {},
      );
      agent.destroy();
    },
  },
  {
    name: 'body: write + end',
    run: ({ trace, http: s }) =>
      exchange(
        trace,
        () => http.request(s.url('/echo'), { method: 'POST' }),
        (req: ClientRequest) => {
          req.write('hello ');
          req.write(Buffer.from('binary '));
          req.end('world', () => trace.add('end callback'));
        },
      ),
  },
  {
    name: 'body: piped stream',
    run: ({ trace, http: s }) =>
      exchange(
        trace,
        () => http.request(s.url('/echo'), { method: 'PUT' }),
        (req: ClientRequest) => void Readable.from(['a', 'b', 'c']).pipe(req),
      ),
  },
];

// Loopback servers the equivalence scenarios talk to: one HTTP/1.1 server with a route per
// behaviour (plus upgrade, CONNECT and a minimal WebSocket), an HTTP/2 TLS server, and a forward
// proxy (CONNECT tunnels and absolute-form requests) that remembers which targets it served.
import { createHash } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createSecureServer, type Http2SecureServer, type ServerHttp2Stream } from 'node:http2';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { TestCertificate } from '../../transport/support/certificate.js';

async function readBody(req: IncomingMessage | ServerHttp2Stream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

const attempts = new Map<string, number>();

function answer(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  switch (url.pathname) {
    case '/hello':
      res.writeHead(200, { 'content-type': 'text/plain', 'x-test': 'yes' }).end('hello');
      return;
    case '/echo':
      void readBody(req).then((body) => {
        const type = req.headers['content-type'] ?? '-';
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(
          `${req.method} ${body.length} ${type.split(';')[0]} ${body.replace(/-+\w+/g, '--b')}`,
        );
      });
      return;
    case '/slow':
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first');
      setTimeout(() => res.end('last'), 300).unref();
      return;
    case '/hang':
      return;
    case '/fail':
      res.writeHead(500, { 'content-type': 'text/plain' }).end('failed');
      return;
    case '/flaky': {
      const id = url.searchParams.get('id') ?? '';
      const n = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, n);
      if (n === 1) res.writeHead(503, { 'retry-after': '0' }).end('try again');
      else res.writeHead(200).end(`attempt ${n}`);
      return;
    }
    case '/redirect':
      res.writeHead(302, { location: '/hello' }).end();
      return;
    case '/gzip':
      res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync('hello zipped'));
      return;
    case '/big':
      res.writeHead(200).end(Buffer.alloc(256 * 1024, 'x'));
      return;
    default:
      res.writeHead(404).end('not found');
  }
}

function frame(opcode: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x80 | opcode, payload.length]), payload]);
}

function onUpgrade(req: IncomingMessage, socket: Socket): void {
  socket.on('error', () => {});
  const key = req.headers['sec-websocket-key'];
  if (typeof key === 'string') {
    const accept = createHash('sha1')
      .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
      .digest('base64');
    socket.write(
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    socket.write(frame(0x1, Buffer.from('hi from server')));
    socket.write(frame(0x8, Buffer.from([0x03, 0xe8])));
    socket.end();
    return;
  }
  socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n');
  socket.pipe(socket);
}

function onConnect(_req: IncomingMessage, socket: Socket): void {
  socket.on('error', () => {});
  socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
  socket.pipe(socket);
}

function listen(server: Server | Http2SecureServer): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

export interface Loopback {
  readonly origin: string;
  readonly port: number;
  url(path: string): string;
  close(): Promise<void>;
}

function loopback(server: Server | Http2SecureServer, port: number, scheme: string): Loopback {
  const origin = `${scheme}://127.0.0.1:${port}`;
  // Upgraded and CONNECT sockets leave the server's own bookkeeping: track every socket.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return {
    origin,
    port,
    url: (path) => `${origin}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export async function startHttpServer(): Promise<Loopback> {
  const server = createServer(answer);
  server.on('upgrade', onUpgrade);
  server.on('connect', onConnect);
  return loopback(server, await listen(server), 'http');
}

/** HTTP/2 over TLS (HTTP/1.1 too, for clients without `allowH2`). */
export async function startH2Server(certificate: TestCertificate): Promise<Loopback> {
  const server = createSecureServer({ ...certificate, allowHTTP1: true });
  const sessions = new Set<{ destroy(): void }>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    void readBody(stream).then((body) => {
      stream.respond({
        ':status': 200,
        'content-type': 'text/plain',
        'x-path': String(headers[':path']),
      });
      stream.end(`h2 ${String(headers[':method'])} ${body.length} ${body}`);
    });
  });
  const port = await listen(server);
  const base = loopback(server, port, 'https');
  return {
    ...base,
    close: async () => {
      for (const s of sessions) s.destroy();
      await base.close();
    },
  };
}

export interface Proxy extends Loopback {
  /** `host:port` of every target the proxy served (tunnels and forwarded requests). */
  readonly targets: string[];
}

export async function startProxy(): Promise<Proxy> {
  const targets: string[] = [];
  const server = createServer((req, res) => {
    const target = new URL(req.url ?? '/');
    targets.push(target.host);
    const upstream = httpRequest(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => {});
    const [host = '', port = ''] = (req.url ?? '').split(':');
    targets.push(req.url ?? '');
    const upstream = netConnect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
  });
  const port = await listen(server);
  return { ...loopback(server, port, 'http'), targets };
}

import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TestCertificate } from '../transport/support/certificate.js';

/**
 * The routes every equivalence case talks to, the same on the http and the https server. Answers
 * are deterministic (no chunking that depends on timing), so two runs of a case see the same bytes.
 */
function route(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0];
  switch (path) {
    case '/ok':
      res.writeHead(200, { 'content-type': 'text/plain', 'x-route': 'ok' }).end('ok');
      return;
    case '/json':
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"answer":42}');
      return;
    case '/fail':
      res.writeHead(500, { 'content-type': 'text/plain' }).end('broken');
      return;
    case '/missing':
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such thing');
      return;
    case '/echo':
      echo(req, res);
      return;
    case '/early-hints':
      res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('after hints');
      return;
    case '/partial':
      // Headers and a first chunk, then nothing: the client gives up mid-body.
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first');
      return;
    case '/hang':
      return;
    default:
      res.writeHead(400).end();
  }
}

function echo(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`${req.method} ${body}`);
  });
}

/**
 * After the 101 / 200 head, the tunnel echoes one message and closes. The server no longer tracks
 * a socket it handed over, so `tunnels` does, for `close()`.
 */
function tunnel(head: string, tunnels: Set<Socket>) {
  return (_req: IncomingMessage, socket: Socket): void => {
    tunnels.add(socket);
    socket.on('close', () => tunnels.delete(socket));
    socket.on('end', () => socket.end());
    socket.write(head);
    socket.once('data', (d: Buffer) => socket.end(d));
  };
}

export class EquivalenceServer {
  private constructor(
    private readonly server: Server,
    readonly protocol: 'http:' | 'https:',
    private readonly tunnels: Set<Socket>,
  ) {}

  static async start(certificate?: TestCertificate): Promise<EquivalenceServer> {
    const server =
      certificate === undefined
        ? createHttpServer(route)
        : (createHttpsServer(
            { key: certificate.key, cert: certificate.cert },
            route,
          ) as unknown as Server);
    // Expect: 100-continue reaches 'checkContinue' instead of the request handler.
    server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
      res.writeContinue();
      route(req, res);
    });
    const tunnels = new Set<Socket>();
    server.on(
      'upgrade',
      tunnel(
        'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\n',
        tunnels,
      ),
    );
    server.on('connect', tunnel('HTTP/1.1 200 Connection Established\r\n\r\n', tunnels));
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new EquivalenceServer(server, certificate === undefined ? 'http:' : 'https:', tunnels);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  url(path: string): string {
    return `${this.protocol}//127.0.0.1:${this.port}${path}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    for (const socket of this.tunnels) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

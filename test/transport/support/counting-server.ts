import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TestCertificate } from './certificate.js';

/** How the server answers: by path, or everything the same way (`answerAll`). */
export type Answer = (req: IncomingMessage, res: ServerResponse) => void;

export const answers = {
  ok: ((_req, res) => res.end('ok')) as Answer,
  status:
    (
      status: number,
      headers: Record<string, string> = {},
      body = `{"error":{"message":"status ${status}"}}`,
    ): Answer =>
    (_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body);
    },
  /** Headers now, body end later: shows an outcome is recorded at headers. */
  slowBody:
    (bodyDelayMs: number): Answer =>
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first-');
      setTimeout(() => res.end('last'), bodyDelayMs);
    },
  /** Nothing for `headersDelayMs`, then headers and body at once. */
  slowHeaders:
    (headersDelayMs: number): Answer =>
    (_req, res) => {
      setTimeout(() => res.end('late'), headersDelayMs);
    },
  hang: (() => {}) as Answer,
};

/**
 * A loopback HTTP or HTTPS server that counts accepted TCP connections and requests, so a test
 * can prove that an open circuit opened no socket at all.
 */
export class CountingServer {
  connections = 0;
  requests = 0;
  answer: Answer = answers.ok;
  private readonly routes = new Map<string, Answer>();
  private readonly server: Server;

  private constructor(
    readonly protocol: 'http:' | 'https:',
    certificate?: TestCertificate,
  ) {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.requests++;
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      (this.routes.get(path) ?? this.answer)(req, res);
    };
    this.server =
      protocol === 'https:'
        ? (createHttpsServer(
            { key: certificate?.key, cert: certificate?.cert },
            handler,
          ) as unknown as Server)
        : createHttpServer(handler);
    // 'secureConnection' would miss handshakes that never finish; 'connection' counts every accept.
    this.server.on('connection', () => this.connections++);
  }

  static async start(
    protocol: 'http:' | 'https:' = 'http:',
    certificate?: TestCertificate,
  ): Promise<CountingServer> {
    const s = new CountingServer(protocol, certificate);
    await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
    return s;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }
  /** `127.0.0.1:<port>`: the host pattern a rule uses. */
  get hostPort(): string {
    return `127.0.0.1:${this.port}`;
  }
  get origin(): string {
    return `${this.protocol}//127.0.0.1:${this.port}`;
  }
  url(path = '/'): string {
    return `${this.origin}${path}`;
  }

  route(path: string, answer: Answer): this {
    this.routes.set(path, answer);
    return this;
  }

  reset(): void {
    this.connections = 0;
    this.requests = 0;
    this.routes.clear();
    this.answer = answers.ok;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A port nothing listens on (for connection-refused cases). */
export async function deadPort(): Promise<number> {
  const s = createHttpServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

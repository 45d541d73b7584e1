import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { envVarName } from '../config/env-vars.js';
import { DEFAULT_ADMIN_HOST } from '../config/defaults.js';
import { looksLikePlaceholder } from '../config/substitute-env.js';
import type { BreakerRegistry } from '../registry/breaker-registry.js';
import { handleAdminRequest, type AdminHandlerContext } from './admin-handler.js';
import { AdminServerError } from './admin-server-error.js';
import { takeSnapshot } from './admin-snapshot.js';
import { BearerAuth } from './bearer-auth.js';
import type { FleetControl } from '../fleet/fleet-control.js';
import { sendError } from './http-responses.js';
import { isLoopbackAddress } from './loopback.js';
import { SnapshotStream } from './snapshot-stream.js';

export interface AdminServerOptions {
  /** Breakers to show and change. */
  readonly registry: BreakerRegistry;
  /** TCP port; 0 picks a free one (see `url`). */
  readonly port: number;
  /** Bind address. Default `127.0.0.1`. A non-loopback address requires `token`. */
  readonly host?: string;
  /** Bearer token every change (POST) must carry. Without one, changes are refused (403); reads work. */
  readonly token?: string;
  /** Shared store: when given, changes apply to the whole fleet and reads show the fleet's state. @internal */
  readonly fleet?: FleetControl;
  /** Keep the process alive while the endpoint listens. Default false: it never holds an app open. */
  readonly keepProcessAlive?: boolean;
  /** Period of the status page's snapshot push. Default 1000 ms. */
  readonly eventIntervalMs?: number;
  /** Told about internal errors (answered with a bare 500); for the app's own logging. */
  readonly onError?: (error: unknown) => void;
}

export interface AdminServer {
  /** Base URL, e.g. `http://127.0.0.1:9465`. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and ends open connections and event streams. */
  close(): Promise<void>;
}

function validate(options: AdminServerOptions): void {
  const { port, host, token } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new AdminServerError(
      'EADMINCONFIG',
      `admin.port must be an integer 0-65535, got ${String(port)}`,
    );
  }
  if (
    token !== undefined &&
    (typeof token !== 'string' || token.trim() === '' || /\s/.test(token))
  ) {
    throw new AdminServerError(
      'EADMINCONFIG',
      'admin.token must be a non-empty string without spaces',
    );
  }
  if (token !== undefined && looksLikePlaceholder(token)) {
    // An unexpanded `${ADMIN_TOKEN}` would be a bearer token anyone reading the config knows.
    throw new AdminServerError(
      'EADMINCONFIG',
      'admin.token looks like an unexpanded "${…}" reference; pass the secret itself',
    );
  }
  if (host !== undefined && (typeof host !== 'string' || host.trim() === '')) {
    throw new AdminServerError('EADMINCONFIG', 'admin.host must be a non-empty address');
  }
}

function carriesBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function urlFor(address: AddressInfo): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/**
 * Starts the opt-in admin endpoint: JSON API, live status page and event stream (see
 * docs/admin-and-cli.md for routes and shapes). Rejects with AdminServerError on bad options or an
 * unsafe bind, and with the listen error (e.g. EADDRINUSE); once started it never throws into the
 * app: a failing request gets a 500 without details.
 */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  validate(options);
  const host = options.host ?? DEFAULT_ADMIN_HOST;
  const loopbackOnly = isLoopbackAddress(host);
  if (!loopbackOnly && options.token === undefined) {
    throw new AdminServerError(
      'EADMININSECURE',
      `refusing to bind the admin endpoint to ${host} without a token: set admin.token ` +
        `(${envVarName(['admin', 'token'])}) or bind to 127.0.0.1`,
    );
  }
  const { registry, fleet } = options;
  const stream = new SnapshotStream(registry, () => takeSnapshot(registry, fleet), {
    intervalMs: options.eventIntervalMs ?? 1000,
  });
  const ctx: AdminHandlerContext = {
    registry,
    fleet,
    auth: options.token === undefined ? undefined : new BearerAuth(options.token),
    loopbackOnly,
    stream,
  };
  const report = (error: unknown): void => {
    try {
      options.onError?.(error);
    } catch {
      // The app's logger failing must not take the endpoint down either.
    }
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // Node drains an unread request body to keep the connection for the next request: a caller
    // without the token could make it read gigabytes. A request with a body gets its answer, then
    // the connection is closed, so at most MAX_BODY_BYTES of it is ever read (by an authorised POST).
    if (carriesBody(req)) res.setHeader('connection', 'close');
    handleAdminRequest(ctx, req, res).catch((error: unknown) => {
      report(error);
      if (res.headersSent) res.destroy();
      else sendError(res, 500, 'internal_error', 'internal error');
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  if (options.keepProcessAlive !== true) {
    // The listening handle is unref'd below; an open connection (an attached event stream, `watch`)
    // must not hold the app open either once its own work is done.
    server.on('connection', (socket: Socket) => socket.unref());
  }
  server.on('clientError', (_error, socket) => {
    // Malformed HTTP: answer 400 if the socket still can, never let it reach 'uncaughtException'.
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // After startup, server errors (rare: e.g. EMFILE on accept) are reported, never thrown.
  server.on('error', report);
  if (options.keepProcessAlive !== true) server.unref();

  const address = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: urlFor(address),
    port: address.port,
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        stream.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

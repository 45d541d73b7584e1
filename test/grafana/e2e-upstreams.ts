/**
 * Loopback upstreams with fixed behaviours for the end-to-end test, one server (and so one
 * breaker, named host:port) per behaviour.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Behaviour =
  /** Always 503: the circuit opens and stays open / half-open with failing probes. */
  | 'down'
  /** 2 of 3 requests fail with 500, every other one is slow (150 ms): a closed breaker with a high failure rate. */
  | 'flaky'
  /** Healthy and failing in turns of `phaseMs`: the circuit closes and trips again and again. */
  | 'flapping';

export interface Upstream {
  readonly behaviour: Behaviour;
  readonly url: string;
  /** `127.0.0.1:port`: the breaker name (host pattern of the config). */
  readonly host: string;
  close(): Promise<void>;
}

export async function startUpstream(behaviour: Behaviour, phaseMs = 1000): Promise<Upstream> {
  let requests = 0;
  const started = Date.now();
  const server: Server = createServer((_req, res) => {
    const n = requests++;
    const reply = (status: number) => res.writeHead(status).end(String(status));
    if (behaviour === 'down') return reply(503);
    if (behaviour === 'flapping') {
      const healthy = Math.floor((Date.now() - started) / phaseMs) % 2 === 1;
      return reply(healthy ? 200 : 503);
    }
    const status = n % 3 === 0 ? 200 : 500;
    if (n % 2 === 0) setTimeout(() => reply(status), 150);
    else reply(status);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    behaviour,
    url: `http://127.0.0.1:${port}/`,
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

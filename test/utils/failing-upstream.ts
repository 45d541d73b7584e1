import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CircuitBreaker } from '../../src/core/breaker.js';

/** A loopback server that answers every request with a 500, as a broken upstream would. */
export interface FailingUpstream {
  readonly url: string;
  close(): Promise<void>;
}

export async function startFailingUpstream(): Promise<FailingUpstream> {
  const server: Server = createServer((_req, res) => res.writeHead(500).end('down'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/**
 * One real fetch through `breaker`: a 5xx answer counts as a failure. Never throws, so a test can
 * call until the circuit opens (and on, into rejections).
 */
export async function fetchThrough(breaker: CircuitBreaker, url: string): Promise<void> {
  await breaker
    .execute(async () => {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status >= 500)
        throw Object.assign(new Error(`HTTP ${res.status}`), { status: res.status });
    })
    .catch(() => undefined);
}

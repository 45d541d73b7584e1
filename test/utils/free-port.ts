import { createServer } from 'node:net';

/** A loopback port nobody listens on right now, so parallel test files never collide (on :9464 or elsewhere). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

import { afterAll, beforeAll } from 'vitest';
import { deadPort } from '../../transport/support/counting-server.js';
import { printTable } from './harness.js';
import { startHttpServer, type Loopback } from './servers.js';

export interface HttpSuite {
  readonly server: Loopback;
  /** An origin nothing listens on. */
  readonly refused: string;
}

/** The loopback HTTP server (and a refused port) of one test file; prints its table at the end. */
export function httpSuite(title: string): HttpSuite {
  const suite = { server: undefined as unknown as Loopback, refused: '' };
  beforeAll(async () => {
    suite.server = await startHttpServer();
    suite.refused = `http://127.0.0.1:${await deadPort()}`;
  });
  afterAll(async () => {
    printTable(title);
    await suite.server.close();
  });
  return suite;
}

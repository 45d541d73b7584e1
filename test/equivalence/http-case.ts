import type { ClientRequest } from 'node:http';
import type { EquivalenceServer } from './http-servers.js';
import { closed, Trace, watchRequest, watchResponse } from './http-trace.js';

export interface CaseContext {
  readonly trace: Trace;
  readonly http: EquivalenceServer;
  readonly https: EquivalenceServer;
  /** The self-signed certificate the https server uses, to pass as a CA. */
  readonly ca: string;
  /** A loopback port nothing listens on. */
  readonly deadPort: number;
}

export interface EquivalenceCase {
  readonly name: string;
  /**
   * The request never passes `Agent#addRequest` (a `createConnection` option without an agent, or
   * options Node refuses before that), so the hook does not see it; for every other case the
   * breaker must have counted it.
   */
  readonly unseen?: true;
  /** What the caller ends up with besides the trace's events (statuses, bodies, errors). */
  run(ctx: CaseContext): Promise<unknown>;
}

/**
 * Makes a request inside `trace.call`, records its events and those of its response, and waits
 * until both closed. `then` runs right after the request was made (write a body, abort, …); it
 * must end the request itself if it is given.
 */
export async function exchange(
  trace: Trace,
  make: () => ClientRequest,
  then: (req: ClientRequest) => void = (req) => req.end(),
): Promise<void> {
  const req = trace.call(make);
  watchRequest(req, trace);
  let response: Promise<void> = Promise.resolve();
  req.on('response', (res) => (response = watchResponse(res, trace)));
  then(req);
  await closed(req);
  await response;
}

// A local upstream that is healthy, then fails for a while, then recovers — on a timeline.
import { createServer } from 'node:http';

/**
 * Starts the upstream on a free loopback port. `phases` is a list of [untilMs, status]: requests
 * get the status of the first phase whose time has not passed yet (the last one after that). The
 * timeline starts with the first request, however long the app took to start on a busy machine.
 */
export async function startFlakyUpstream(phases) {
  let started;
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    started ??= Date.now();
    const elapsed = Date.now() - started;
    const status = (phases.find(([until]) => elapsed < until) ?? phases.at(-1))[1];
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status, elapsedMs: elapsed }));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

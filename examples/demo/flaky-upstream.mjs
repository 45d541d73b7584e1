// A local upstream that is healthy, then fails, then recovers, on a timeline. `run.mjs` starts it
// for one pass (npm run demo); run as a program it is the upstream of docker-compose.yml, cycling
// through every behaviour the dashboards show: healthy, down, healthy, flaky, slow.
//   node flaky-upstream.mjs   PORT (default 8080), PHASE_SECONDS (default 30)
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';

/**
 * Starts the upstream. `phases` is a list of [durationMs, behaviour], where a behaviour is a status
 * code, 'flaky' (40 % answer 500, the rest 200) or 'slow' (200 after 1.5 s). After the last phase
 * the upstream stays in it, or starts over with `cycle`. The timeline starts with the first
 * request, however long the app took to start on a busy machine.
 */
export async function startFlakyUpstream(
  phases,
  { port = 0, host = '127.0.0.1', cycle = false } = {},
) {
  const cycleMs = phases.reduce((sum, [ms]) => sum + ms, 0);
  let started;
  let requests = 0;
  const behaviourAt = (elapsed) => {
    let t = cycle ? elapsed % cycleMs : elapsed;
    for (const [ms, behaviour] of phases) {
      if (t < ms) return behaviour;
      t -= ms;
    }
    return phases.at(-1)[1];
  };
  const server = createServer((req, res) => {
    requests++;
    started ??= Date.now();
    const elapsedMs = Date.now() - started;
    const behaviour = behaviourAt(elapsedMs);
    const reply = (status) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status, phase: behaviour, elapsedMs }));
    };
    if (behaviour === 'flaky') reply(Math.random() < 0.4 ? 500 : 200);
    else if (behaviour === 'slow') setTimeout(() => reply(200), 1500);
    else reply(behaviour);
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  return {
    port: server.address().port,
    requests: () => requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const phaseMs = Number(process.env.PHASE_SECONDS ?? 30) * 1000;
  const phases = [200, 503, 200, 'flaky', 'slow'].map((behaviour) => [phaseMs, behaviour]);
  const upstream = await startFlakyUpstream(phases, {
    port: Number(process.env.PORT ?? 8080),
    host: '0.0.0.0',
    cycle: true,
  });
  console.log(
    `flaky upstream on :${upstream.port}, ${phaseMs / 1000} s phases from the first request: ` +
      `healthy -> down (503) -> healthy -> flaky (40 % 500) -> slow (1.5 s), then again`,
  );
  process.on('SIGTERM', () => upstream.close().then(() => process.exit(0)));
}

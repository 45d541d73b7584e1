// A flaky HTTP upstream for docker-compose.yml (plain Node, no dependencies). It cycles through
// phases so the dashboards show every state: healthy, failing (the circuit opens and probes
// fail), recovering (it closes), and slow.
//   PORT (default 8080), PHASE_SECONDS (default 30)
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 8080);
const phaseMs = Number(process.env.PHASE_SECONDS ?? 30) * 1000;
const PHASES = ['healthy', 'down', 'healthy', 'flaky', 'slow'];
const started = Date.now();

function phase() {
  return PHASES[Math.floor((Date.now() - started) / phaseMs) % PHASES.length];
}

const server = createServer((req, res) => {
  const reply = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ phase: phase(), ...body }));
  };
  switch (phase()) {
    case 'down':
      return reply(503, { error: 'unavailable' });
    case 'flaky':
      // 40% server errors: a high failure rate that may or may not trip the breaker.
      return Math.random() < 0.4 ? reply(500, { error: 'boom' }) : reply(200, { ok: true });
    case 'slow':
      return setTimeout(() => reply(200, { ok: true }), 1500);
    default:
      return reply(200, { ok: true });
  }
});
server.listen(port, () =>
  console.log(`flaky upstream on :${port}, ${phaseMs / 1000}s phases: ${PHASES.join(' -> ')}`),
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));

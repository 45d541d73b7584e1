// The app of docker-compose.yml: plain fetch calls, no breaker code. The breaker comes from
// `node --require ./dist/cjs/register.js` and CIRCUIT_BREAKER_HOSTS=upstream:8080.
//   UPSTREAM_URL (default http://upstream:8080/), INTERVAL_MS (default 100)
const url = process.env.UPSTREAM_URL ?? 'http://upstream:8080/';
const intervalMs = Number(process.env.INTERVAL_MS ?? 100);
const counts = { ok: 0, failed: 0, rejected: 0 };

setInterval(() => {
  fetch(url, { signal: AbortSignal.timeout(5000) })
    .then(async (response) => {
      await response.arrayBuffer();
      counts[response.ok ? 'ok' : 'failed']++;
    })
    .catch((error) => {
      counts[error?.cause?.code === 'ECIRCUITOPEN' ? 'rejected' : 'failed']++;
    });
}, intervalMs);

setInterval(() => {
  console.log(`calls to ${url}: ${JSON.stringify(counts)}`);
}, 10_000).unref();
process.on('SIGTERM', () => process.exit(0));

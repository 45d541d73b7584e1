// The app of `npm run soak`: plain fetch and http.get loops, nothing about circuit breakers in it.
// It runs under `--require otel-circuit-breaker/register` with `--expose-gc`, prints its heap after
// a full GC every SAMPLE_MS as `HEAP <ms> <bytes>`, stops its loops after SOAK_SECONDS, prints
// `DONE`, and then must exit by itself: it never calls process.exit.
const http = require('node:http');

const flaky = process.env.FLAKY_URL;
const slow = process.env.SLOW_URL;
const unlisted = process.env.UNLISTED_URL;
const concurrency = Number(process.env.CONCURRENCY ?? 200);
const seconds = Number(process.env.SOAK_SECONDS ?? 600);
const sampleMs = Number(process.env.SAMPLE_MS ?? 10_000);
const started = Date.now();
let running = true;
const tally = { ok: 0, failed: 0, rejected: 0 };

function viaHttp(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode < 500 ? 'ok' : 'failed'));
      res.on('error', () => resolve('failed'));
    });
    req.on('error', (err) => resolve(err.code === 'ECIRCUITOPEN' ? 'rejected' : 'failed'));
  });
}

async function viaFetch(url) {
  try {
    const res = await fetch(url);
    await res.arrayBuffer();
    return res.status < 500 ? 'ok' : 'failed';
  } catch (err) {
    return err.cause?.code === 'ECIRCUITOPEN' ? 'rejected' : 'failed';
  }
}

async function loop(i) {
  const targets = [flaky, slow, unlisted];
  for (let n = 0; running; n++) {
    // Paths with ids and queries: they must never become labels or grow any table.
    const url = `${targets[(i + n) % 3]}/items/${i}-${n}?key=secret-${n}`;
    const outcome = await ((i + n) % 2 === 0 ? viaFetch(url) : viaHttp(url));
    tally[outcome]++;
  }
}

const sampler = setInterval(() => {
  globalThis.gc();
  console.log(`HEAP ${Date.now() - started} ${process.memoryUsage().heapUsed}`);
}, sampleMs);

Promise.all(Array.from({ length: concurrency }, (_, i) => loop(i))).then(() => {
  console.log(`TALLY ${JSON.stringify(tally)}`);
  console.log('DONE');
});
setTimeout(() => {
  running = false;
  clearInterval(sampler);
}, seconds * 1000);

// npm run soak: ten minutes of 200 concurrent calls (fetch and http.get) to a flaky host, a slow
// host and an unlisted one, from an app under `--require register` with the admin endpoint on and an
// SSE client attached the whole time. Passes when the heap after full GCs is flat (the median of the
// last third of the samples within 10% or 2 MiB of the middle third's), the app's calls were really
// rejected and admitted, and the app exits by itself once its work is done, with the SSE client
// still connected. SOAK_SECONDS shortens it. Heap sizes are counts, not timings: the verdict does
// not depend on how busy the machine is.
import { spawn } from 'node:child_process';
import { createServer, get } from 'node:http';
import { fileURLToPath } from 'node:url';
import { beginRun } from './lib/run-record.mjs';
import { Targets } from './lib/verdict.mjs';

const seconds = Number(process.env.SOAK_SECONDS ?? 600);
const sampleMs = Math.max(1000, Math.min(10_000, Math.round((seconds * 1000) / 30)));
const run = beginRun('soak');

function listen(handler) {
  const server = createServer(handler);
  server.keepAliveTimeout = 5000;
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: server.address().port })),
  );
}

// Healthy for 20 s, then 503 for 10 s, over and over.
const flaky = await listen((req, res) => {
  const failing = Math.floor(Date.now() / 10_000) % 3 === 2;
  res.writeHead(failing ? 503 : 200).end('x');
});
// Every third answer takes 1.5 s: slower than slowCallDurationMs.
let slowCount = 0;
const slow = await listen((req, res) => {
  const delay = ++slowCount % 3 === 0 ? 1500 : 5;
  setTimeout(() => res.writeHead(200).end('y'), delay);
});
const unlisted = await listen((req, res) => res.writeHead(200).end('z'));
const adminPort = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});
const token = 'soak-admin-token-0123456789abcdef';

const app = spawn(
  process.execPath,
  [
    '--expose-gc',
    '--require',
    fileURLToPath(new URL('../dist/cjs/register.js', import.meta.url)),
    fileURLToPath(new URL('./lib/soak-app.cjs', import.meta.url)),
  ],
  {
    env: {
      PATH: process.env.PATH,
      OTEL_SDK_DISABLED: 'true',
      CIRCUIT_BREAKER_QUIET: 'true',
      CIRCUIT_BREAKER_HOSTS: `127.0.0.1:${flaky.port},127.0.0.1:${slow.port}`,
      CIRCUIT_BREAKER_OPEN_SECONDS: '3',
      CIRCUIT_BREAKER_SLOW_CALL_DURATION_MS: '1000',
      CIRCUIT_BREAKER_ADMIN_PORT: String(adminPort),
      CIRCUIT_BREAKER_ADMIN_TOKEN: token,
      FLAKY_URL: `http://127.0.0.1:${flaky.port}`,
      SLOW_URL: `http://127.0.0.1:${slow.port}`,
      UNLISTED_URL: `http://127.0.0.1:${unlisted.port}`,
      SOAK_SECONDS: String(seconds),
      SAMPLE_MS: String(sampleMs),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);

const heap = [];
let tally;
let doneAt;
let sseEvents = 0;
let sseOpenAtDone = false;
let buffered = '';
app.stdout.on('data', (chunk) => {
  buffered += chunk;
  let i;
  while ((i = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, i);
    buffered = buffered.slice(i + 1);
    const [word, a, b] = line.split(' ');
    if (word === 'HEAP') heap.push({ ms: Number(a), bytes: Number(b) });
    else if (word === 'TALLY') tally = JSON.parse(line.slice(6));
    else if (word === 'DONE') {
      doneAt = Date.now();
      sseOpenAtDone = sse !== undefined && !sse.destroyed;
    }
  }
});

// The SSE client connects once the admin endpoint answers and stays connected.
const connectSse = () =>
  new Promise((resolve) => {
    get(`http://127.0.0.1:${adminPort}/events`, (res) => {
      res.on('data', () => sseEvents++);
      resolve(res.socket);
    }).on('error', () => resolve(undefined));
  });
let sse;
for (let tries = 0; tries < 100 && sse === undefined; tries++) {
  await new Promise((r) => setTimeout(r, 100));
  sse = await connectSse();
}

const exitCode = await new Promise((resolve) => app.on('exit', (code) => resolve(code)));
const exitedAfterDoneMs = doneAt === undefined ? undefined : Date.now() - doneAt;
sse?.destroy();
for (const { server } of [flaky, slow, unlisted]) server.close();

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
};
const third = Math.floor(heap.length / 3);
const middle = median(heap.slice(third, 2 * third).map((h) => h.bytes));
const last = median(heap.slice(2 * third).map((h) => h.bytes));
const growth = last - middle;
const mib = (b) => (b / 2 ** 20).toFixed(2);

console.log(`\nsoak: ${seconds} s, 200 concurrent calls, heap sampled every ${sampleMs} ms`);
console.log('  t (s)  heap after GC (MiB)');
for (const h of heap) console.log(`${(h.ms / 1000).toFixed(0).padStart(7)}  ${mib(h.bytes)}`);
console.log(`calls: ${JSON.stringify(tally)}; SSE messages received: ${sseEvents}`);

const targets = new Targets();
const count = { loadIndependent: true };
targets.check(
  'heap after GC flat (last third of the samples at most +10% or +2 MiB over the middle third)',
  heap.length >= 6 && growth <= Math.max(0.1 * middle, 2 * 2 ** 20),
  `${mib(middle)} -> ${mib(last)} MiB over ${heap.length} samples`,
  count,
);
targets.check(
  'calls were both admitted and rejected',
  (tally?.ok ?? 0) > 0 && (tally?.rejected ?? 0) > 0,
  `${tally?.ok ?? 0} ok, ${tally?.failed ?? 0} failed, ${tally?.rejected ?? 0} rejected`,
  count,
);
targets.check(
  'the app exits by itself once its work is done, an SSE client still attached',
  exitCode === 0 && sseOpenAtDone && exitedAfterDoneMs !== undefined && exitedAfterDoneMs < 5000,
  `exit code ${exitCode}, ${exitedAfterDoneMs ?? '?'} ms after its last call; SSE attached: ${sseOpenAtDone}`,
  count,
);
run.finish(targets, { heap, tally, exitedAfterDoneMs, sseEvents });

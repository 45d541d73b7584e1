// node examples/esm-app/run.mjs
// Starts two local services that answer 503, runs app.mjs under
// `node --import otel-circuit-breaker/register` with both hosts opted in, and exits 0 when both
// clients (node:http request and undici fetch) saw three 503s and then ECIRCUITOPEN, with
// nothing more sent to either service (about 1 s).
import { fileURLToPath } from 'node:url';
import { finish, sendJson, startApp, startUpstream } from '../support/harness.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const down = (_req, res) => sendJson(res, 503, { error: 'down for maintenance' });
const orders = await startUpstream(down);
const stock = await startUpstream(down);
const hosts = `${orders.host},${stock.host}`;

console.log(
  `orders    ${orders.url} (node:http request) and stock ${stock.url} (undici fetch): both answer 503`,
);
console.log(`app       CIRCUIT_BREAKER_HOSTS=${hosts} CIRCUIT_BREAKER_FAILURE_THRESHOLD=3 \\`);
console.log('            node --import otel-circuit-breaker/register app.mjs\n');
const app = startApp(['--import', 'otel-circuit-breaker/register', 'app.mjs'], {
  cwd: here,
  env: {
    CIRCUIT_BREAKER_HOSTS: hosts,
    CIRCUIT_BREAKER_FAILURE_THRESHOLD: '3',
    ORDERS_URL: orders.url,
    STOCK_URL: stock.url,
  },
});
const code = await app.exited;
await Promise.all([orders.close(), stock.close()]);

console.log(
  `\norders received ${orders.requests()} requests, stock ${stock.requests()}: the other calls never left the process`,
);
const expected = /503, 503, 503, ECIRCUITOPEN, ECIRCUITOPEN {2}→ circuit open/;
finish({
  'the app exited 0': code === 0,
  'node:http request: 3 failures, then rejected with ECIRCUITOPEN': app.lines.some(
    (l) => l.startsWith('node:http request') && expected.test(l),
  ),
  'undici fetch: 3 failures, then rejected with ECIRCUITOPEN': app.lines.some(
    (l) => l.startsWith('undici fetch') && expected.test(l),
  ),
  'each service received exactly 3 requests': orders.requests() === 3 && stock.requests() === 3,
});

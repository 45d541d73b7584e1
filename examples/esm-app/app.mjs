// An ESM app that calls two services, one with node:http's `request` and one with npm undici's
// `fetch`, both imported by name. Run under `node --import otel-circuit-breaker/register app.mjs`,
// both are protected (the register entry installs OpenTelemetry's ESM loader hook first).
import { request } from 'node:http';
import { fetch } from 'undici';
import { breakers } from 'otel-circuit-breaker';

const { ORDERS_URL, STOCK_URL } = process.env;

/** GET with node:http; resolves with the status code, rejects on an 'error' event. */
function httpGet(url) {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject); // an open circuit arrives here, as an 'error' event
    req.end();
  });
}

/** GET with undici's fetch; an open circuit rejects with a TypeError whose cause says why. */
async function undiciGet(url) {
  try {
    const res = await fetch(url);
    await res.arrayBuffer();
    return res.status;
  } catch (err) {
    throw err.cause ?? err;
  }
}

async function callFiveTimes(label, get, url) {
  const results = [];
  for (let i = 0; i < 5; i++) {
    try {
      results.push(String(await get(url)));
    } catch (err) {
      results.push(err.code === 'ECIRCUITOPEN' ? 'ECIRCUITOPEN' : `error ${err.code}`);
    }
  }
  const breaker = breakers.peek(new URL(url).host);
  console.log(`${label.padEnd(20)} ${results.join(', ')}  → circuit ${breaker?.status().state}`);
}

await callFiveTimes('node:http request', httpGet, `${ORDERS_URL}/orders`);
await callFiveTimes('undici fetch', undiciGet, `${STOCK_URL}/stock`);
process.exit(0); // the Prometheus endpoint started by register would keep the process alive

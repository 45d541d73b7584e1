// The clients the HTTP benches measure (CLIENTS), each as a function that makes one request to
// `origin` and reads the whole body.
import http from 'node:http';

export const CLIENTS = ['fetch', 'undici.request', 'http.request'];

/**
 * npm undici is imported only for `undici.request`: once loaded it installs its own global
 * dispatcher, and the built-in fetch would then run on npm undici's Agent, not Node's bundled one.
 * Returns the undici module (or undefined for fetch) and the request function. `requestTimers:
 * false` (under valgrind, see bench/http-instructions.mjs) leaves out undici's per-request timers,
 * for undici.request and for fetch (whose global Agent is swapped for a timer-less one, and whose
 * resource timings are emptied before their buffer fills).
 */
export async function prepareClient(
  client,
  origin,
  connections,
  guard,
  { requestTimers = true } = {},
) {
  if (client === 'fetch') {
    const fetchWhole = async () => {
      const res = await fetch(`${origin}/`);
      await res.arrayBuffer();
    };
    if (requestTimers) return { undici: undefined, call: fetchWhole };
    await withoutFetchRequestTimers();
    let made = 0;
    return {
      undici: undefined,
      call: () => {
        if (++made % RESOURCE_TIMINGS_KEPT === 0) performance.clearResourceTimings();
        return fetchWhole();
      },
    };
  }
  if (client === 'http.request')
    return { undici: undefined, call: httpRequest(origin, connections, guard) };
  if (client !== 'undici.request') throw new Error(`unknown client ${client}`);
  const undici = await import('undici');
  const plain = new undici.Agent(
    requestTimers ? { connections } : { connections, headersTimeout: 0, bodyTimeout: 0 },
  );
  const agent = guard === undefined ? plain : guard.dispatcher(plain);
  return {
    undici,
    call: async () => {
      const res = await undici.request(`${origin}/`, { dispatcher: agent });
      await res.body.arrayBuffer();
    },
  };
}

/**
 * Swaps the global Agent of Node's bundled undici (what the built-in fetch uses) for one of the same
 * class without the per-request headers/body timers, under every key that held it (undici 7 keeps it
 * under both `.1` and `.2`; 8 under `.2`, with a wrapper for older copies under `.1`). The class is
 * taken from the Agent undici installs when it loads, which a `data:` fetch does without a socket:
 * fetch must not load npm undici, whose own global dispatcher it would then use.
 */
async function withoutFetchRequestTimers() {
  await (await fetch('data:,')).arrayBuffer();
  const keys = ['undici.globalDispatcher.2', 'undici.globalDispatcher.1'].map((k) => Symbol.for(k));
  const previous = keys.map((k) => globalThis[k]).find((d) => d !== undefined);
  if (previous === undefined) throw new Error("no global dispatcher after loading Node's undici");
  const timerless = new previous.constructor({ headersTimeout: 0, bodyTimeout: 0 });
  for (const key of keys) if (globalThis[key] === previous) globalThis[key] = timerless;
}

/**
 * Every fetch adds a resource timing entry to `performance`'s buffer (250 entries). Once it is full,
 * Node dispatches a 'resourcetimingbufferfull' Event after every fetch that finds it full, and under
 * callgrind the cost of building that Event depended on where V8 had tiered the code doing it: two
 * processes of the same fetch differed by ~1,500 instructions per request in Node's property
 * definition runtime alone. Under valgrind the buffer is emptied every 100 requests, before it
 * fills. (Not from a listener of that event: Node 24 then dispatches it again forever.)
 */
const RESOURCE_TIMINGS_KEPT = 100;

/** `http.request` on a keep-alive Agent with one socket per concurrent request, body read whole. */
function httpRequest(origin, connections, guard) {
  const { hostname, port } = new URL(origin);
  const agentOptions = { keepAlive: true, maxSockets: connections };
  const agent = guard === undefined ? new http.Agent(agentOptions) : guard.httpAgent(agentOptions);
  const options = { hostname, port, path: '/', agent };
  return () =>
    new Promise((resolve, reject) => {
      const req = http.request(options, (res) => {
        res.on('data', () => {});
        res.on('end', resolve);
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
}

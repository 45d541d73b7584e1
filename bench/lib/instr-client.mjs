// The client process bench/http-instructions.mjs runs under callgrind: N sequential keep-alive
// requests of one kind, with or without the transport hook (see hook-setup.mjs for the modes).
import { setUpClientMode } from './hook-setup.mjs';
import { prepareClient } from './http-clients.mjs';

const [mode, client, origin, n] = process.argv.slice(2);
const { undici, call } = await prepareClient(client, origin, 1);
// The breakers (and the transport's time-to-headers, which reads the breaker's clock) get a precise
// clock instead of the shared coarse one: the coarse clock's 10 ms ticker runs on wall time, and
// under valgrind wall time per request balloons, which would charge its ticks to every request
// (we saw +6k instructions per undici.request, +22k per fetch). Real clock reads are counted
// instead, an upper bound of the real cost.
const clock = {
  now: () => performance.now(),
  preciseNow: () => performance.now(),
  wallNow: () => Date.now(),
};
setUpClientMode(mode, { undici, origin, clock });
for (let i = 0; i < Number(n); i++) await call();
process.exit(0);

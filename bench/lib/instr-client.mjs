// A client process for bench/http-instructions.mjs: N sequential requests of one kind, after the
// same warm-up, with or without the transport hook. Run under callgrind, which counts instructions.
import { createRequire } from 'node:module';
import * as undici from 'undici';

const [mode, client, origin, n] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const dist = (p) => require(`../../dist/cjs/${p}`);
if (mode === 'instrumented') {
  const { BreakerRegistry } = dist('index.js');
  const { resolvePolicy } = dist('core/policy.js');
  const { defaultIsFailureStatus } = dist('config/status-rule.js');
  const { createTargetResolver } = dist('transport/target-resolver.js');
  const { enableUndiciTransport, patchUndiciModule } = dist('transport/undici/undici-transport.js');
  const name = new URL(origin).host;
  const rule = {
    name,
    policy: resolvePolicy({}),
    rejectWith: 'error',
    isFailureStatus: defaultIsFailureStatus,
    quotaOpenSeconds: 3600,
  };
  patchUndiciModule(undici);
  // A precise clock instead of the shared coarse one: the coarse clock's 10 ms ticker runs on wall
  // time, and under valgrind wall time per request balloons, which would charge its ticks to every
  // request. Two real clock reads per call are counted instead (an upper bound of the real cost).
  const clock = {
    now: () => performance.now(),
    preciseNow: () => performance.now(),
    wallNow: () => Date.now(),
  };
  enableUndiciTransport(createTargetResolver([rule], new BreakerRegistry({ clock })));
}
const agent = new undici.Agent({ connections: 1 });
const calls = {
  fetch: async () => {
    const res = await fetch(`${origin}/`);
    await res.arrayBuffer();
  },
  'undici.request': async () => {
    const res = await undici.request(`${origin}/`, { dispatcher: agent });
    await res.body.arrayBuffer();
  },
};
const call = calls[client];
for (let i = 0; i < Number(n); i++) await call();
process.exit(0);

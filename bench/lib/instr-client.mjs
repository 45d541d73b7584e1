// A client process for the HTTP benches: N requests of one kind, with or without the transport
// hook. bench/http-instructions.mjs runs it under callgrind (sequential requests); bench/http.mjs
// passes a concurrency and gets requests/second back on stdout, after a warm-up. Bare and
// instrumented run in separate processes, so no run pays for patching or unpatching undici's
// prototypes (which deoptimises the code that depends on them).
import { createRequire } from 'node:module';
import * as undici from 'undici';

const [mode, client, origin, n, concurrency, coarseClock] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const dist = (p) => require(`../../dist/cjs/${p}`);
if (mode === 'instrumented' || mode === 'unlisted') {
  const { BreakerRegistry } = dist('index.js');
  const { resolvePolicy } = dist('core/policy.js');
  const { defaultIsFailureStatus } = dist('config/status-rule.js');
  const { createTargetResolver } = dist('transport/target-resolver.js');
  const { enableUndiciTransport, patchUndiciModule } = dist('transport/undici/undici-transport.js');
  // `unlisted`: the hook is on, but for another host, so this origin takes the pass-through path.
  const name = mode === 'unlisted' ? 'unlisted.invalid' : new URL(origin).host;
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
  const clock =
    coarseClock === 'coarse'
      ? undefined
      : {
          now: () => performance.now(),
          preciseNow: () => performance.now(),
          wallNow: () => Date.now(),
        };
  enableUndiciTransport(createTargetResolver([rule], new BreakerRegistry({ clock })));
}
const agent = new undici.Agent({ connections: Number(concurrency ?? 1) });
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
if (concurrency === undefined) {
  for (let i = 0; i < Number(n); i++) await call();
} else {
  const run = async (count) => {
    let next = 0;
    const worker = async () => {
      while (next++ < count) await call();
    };
    const t0 = process.hrtime.bigint();
    await Promise.all(Array.from({ length: Number(concurrency) }, worker));
    return count / (Number(process.hrtime.bigint() - t0) / 1e9);
  };
  await run(Number(n) / 2); // warm-up: JIT and keep-alive sockets
  process.stdout.write(`${JSON.stringify({ rps: await run(Number(n)) })}\n`);
}
process.exit(0);

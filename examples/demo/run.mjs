// npm run demo — a breaker in front of a local function that fails for a while, then recovers.
// Shows: closed → open (rejecting in microseconds) → half-open probes → closed. Exits by itself.
import { CircuitBreaker, resolvePolicy } from '../../dist/esm/index.mjs';

const breaker = new CircuitBreaker({
  name: 'flaky-service',
  policy: resolvePolicy({
    preset: 'fast-recovery',
    failureThreshold: 3,
    openSeconds: 1,
    jitterRatio: 0,
    successThreshold: 2,
  }),
});
breaker.onTransition((t) => console.log(`  ↳ transition ${t.from} → ${t.to} (${t.reason})`));

const healthyAfter = Date.now() + 2_500; // the "service" is down for 2.5 s
const flakyService = async () => {
  if (Date.now() < healthyAfter)
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
  return 'ok';
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
for (let step = 1; step <= 24; step++) {
  const t0 = performance.now();
  let result;
  try {
    result = await breaker.execute(flakyService);
  } catch (err) {
    result = err.code === 'ECIRCUITOPEN' ? 'rejected (circuit open)' : `failed (${err.code})`;
  }
  const us = ((performance.now() - t0) * 1000).toFixed(0);
  const s = breaker.status();
  console.log(
    `step ${String(step).padStart(2)}  ${result.padEnd(24)} ${us.padStart(5)} µs  state=${s.state.padEnd(9)} ` +
      `consecutiveFailures=${s.consecutiveFailures} opens=${s.openCount}` +
      (s.secondsUntilRecovery !== null ? ` recovery in ${s.secondsUntilRecovery}s` : ''),
  );
  await sleep(200);
}
console.log(`\nfinal: ${breaker.currentState}; counts ${JSON.stringify(breaker.status().counts)}`);

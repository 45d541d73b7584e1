// The demo app: plain fetch in a loop, nothing about circuit breakers in its calls. It runs under
// `node --require otel-circuit-breaker/register`, which protects the host named in
// CIRCUIT_BREAKER_HOSTS. It prints one line per second, a line for every state change of the
// breaker (with the half-open probe and its outcome), and exits after DEMO_SECONDS (run.mjs sets
// it; unset, as in docker-compose.yml, the app runs until stopped).
const { breakers } = require('otel-circuit-breaker');

const url = process.env.UPSTREAM_URL;
const host = process.env.CIRCUIT_BREAKER_HOSTS;
const seconds = Number(process.env.DEMO_SECONDS ?? Infinity);
const started = Date.now();
const clock = () => `t=${((Date.now() - started) / 1000).toFixed(1).padStart(4)}s`;
let tally = { ok: 0, failed: 0, rejected: 0 };
let lastStatus = 0;

const WHY = {
  consecutive_failures: 'failures in a row',
  failure_rate: 'failure rate over the window',
  open_timeout_elapsed: 'open time is over: this call is the probe',
  probe_succeeded: 'the probe succeeded: calls flow again',
  probe_failed: 'the probe failed',
};

// Transitions are reported as they happen (synchronously, on the call that causes them).
breakers.onTransition((t) => {
  let why = WHY[t.reason] ?? t.reason;
  if (t.reason === 'probe_failed') why += ` (${lastStatus})`;
  if (t.to === 'open') why += `: rejecting calls for ${(t.openMs / 1000).toFixed(1)} s`;
  console.log(`${clock()}  ${`${t.from} → ${t.to}`.padEnd(20)} ${why}`);
});

async function callUpstream() {
  try {
    const res = await fetch(`${url}/v1/quote?api_key=never-shown`);
    await res.arrayBuffer();
    lastStatus = res.status;
    if (res.ok) tally.ok++;
    else tally.failed++;
  } catch (err) {
    if (err.cause?.code === 'ECIRCUITOPEN') tally.rejected++;
    else tally.failed++;
  }
}

async function main() {
  let nextReport = started + 1000;
  while (Date.now() - started < seconds * 1000) {
    await callUpstream();
    await new Promise((r) => setTimeout(r, 50));
    if (Date.now() >= nextReport) {
      nextReport += 1000;
      const status = breakers.peek(host)?.status();
      const recovery =
        status?.secondsUntilRecovery != null ? `  probe in ${status.secondsUntilRecovery}s` : '';
      console.log(
        `${clock()}  ok=${String(tally.ok).padStart(3)}  failed=${String(tally.failed).padStart(3)}  ` +
          `rejected=${String(tally.rejected).padStart(3)}  state=${status?.state ?? 'closed'}${recovery}`,
      );
      tally = { ok: 0, failed: 0, rejected: 0 };
    }
  }
}

main();
// As a container's first process, Node has no default SIGTERM action: stop when asked to.
process.on('SIGTERM', () => process.exit(0));

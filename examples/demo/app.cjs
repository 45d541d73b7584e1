// The demo app: plain fetch in a loop, nothing about circuit breakers in its code. It runs under
// `node --require otel-circuit-breaker/register`, which protects the host named in
// CIRCUIT_BREAKER_HOSTS. It prints one line per second and exits after DEMO_SECONDS.
const { breakers } = require('otel-circuit-breaker');

const url = process.env.UPSTREAM_URL;
const host = process.env.CIRCUIT_BREAKER_HOSTS;
const seconds = Number(process.env.DEMO_SECONDS ?? 25);
let tally = { ok: 0, failed: 0, rejected: 0 };

async function callUpstream() {
  try {
    const res = await fetch(`${url}/v1/quote?api_key=never-shown`);
    await res.arrayBuffer();
    if (res.ok) tally.ok++;
    else tally.failed++;
  } catch (err) {
    if (err.cause?.code === 'ECIRCUITOPEN') tally.rejected++;
    else tally.failed++;
  }
}

async function main() {
  const started = Date.now();
  let nextReport = started + 1000;
  while (Date.now() - started < seconds * 1000) {
    await callUpstream();
    await new Promise((r) => setTimeout(r, 50));
    if (Date.now() >= nextReport) {
      nextReport += 1000;
      const status = breakers.peek(host)?.status();
      const t = String(Math.round((Date.now() - started) / 1000)).padStart(2);
      const recovery =
        status?.secondsUntilRecovery != null ? `  probe in ${status.secondsUntilRecovery}s` : '';
      console.log(
        `t=${t}s  ok=${String(tally.ok).padStart(3)}  failed=${String(tally.failed).padStart(3)}  ` +
          `rejected=${String(tally.rejected).padStart(3)}  state=${status?.state ?? 'closed'}${recovery}`,
      );
      tally = { ok: 0, failed: 0, rejected: 0 };
    }
  }
}

main();

// One replica of the fleet example: plain fetch in a loop, nothing about circuit breakers or
// Redis in its code. It runs under `node --require otel-circuit-breaker/register`, which protects
// CIRCUIT_BREAKER_HOSTS and shares breaker state through CIRCUIT_BREAKER_REDIS_URL.
// Prints what happens to its calls and every transition of its breaker; at the end one JSON
// summary line (`SUMMARY {...}`) for run.mjs.
const { breakers } = require('otel-circuit-breaker');

const replica = process.env.REPLICA;
const url = process.env.UPSTREAM_URL;
const gapMs = Number(process.env.GAP_MS ?? 100);
const seconds = Number(process.env.RUN_SECONDS ?? 9);
const verbose = process.env.VERBOSE === '1';
const started = Date.now();
const t = () => `t=${((Date.now() - started) / 1000).toFixed(1)}s`;
const say = (line) => console.log(`[${replica}] ${t()}  ${line}`);
const tally = { ok: 0, failed: 0, rejected: 0, openedBy: null };

breakers.onTransition((tr) => {
  const how =
    tr.reason === 'remote'
      ? 'learned from the fleet (Redis): another replica tripped it'
      : `its own calls: ${tr.reason}`;
  say(`circuit ${tr.name}: ${tr.from} -> ${tr.to}  (${how})`);
  if (tr.to === 'open' && tally.openedBy === null) tally.openedBy = tr.reason;
});

async function callUpstream() {
  try {
    const res = await fetch(url);
    await res.arrayBuffer();
    if (res.ok) tally.ok++;
    else tally.failed++;
    if (verbose) say(`upstream answered ${res.status}`);
  } catch (err) {
    if (err.cause?.code !== 'ECIRCUITOPEN') {
      tally.failed++;
      if (verbose) say(`call failed: ${err.cause?.code ?? err.message}`);
      return;
    }
    tally.rejected++;
    if (verbose) say('rejected at once, nothing sent (circuit open)');
  }
}

async function main() {
  let nextReport = started + 1000;
  while (Date.now() - started < seconds * 1000) {
    await callUpstream();
    await new Promise((r) => setTimeout(r, gapMs));
    if (!verbose && Date.now() >= nextReport) {
      nextReport += 1000;
      say(`ok=${tally.ok} failed=${tally.failed} rejected=${tally.rejected}`);
    }
  }
  console.log(`SUMMARY ${JSON.stringify({ replica, ...tally })}`);
  process.exit(0);
}

main();

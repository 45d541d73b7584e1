// A plain CommonJS service that calls its upstream with fetch every 100 ms. Nothing in it knows
// about circuit breakers: `node --require otel-circuit-breaker/register app.cjs` protects the hosts
// listed in circuit-breakers.yaml (CIRCUIT_BREAKER_CONFIG). It prints a line each time the kind of
// answer changes, with how many of the previous kind it got.
const upstream = process.env.UPSTREAM_URL;
const started = Date.now();
let current; // { kind, text, count }

function report(kind, text) {
  if (current?.kind === kind) return void current.count++;
  if (current !== undefined) console.log(`         … ${current.count} × ${current.kind}`);
  const t = ((Date.now() - started) / 1000).toFixed(1).padStart(4);
  console.log(`t=${t}s  ${text}`);
  current = { kind, text, count: 1 };
}

async function callUpstream() {
  try {
    const res = await fetch(`${upstream}/price`);
    await res.arrayBuffer();
    if (res.ok) report('ok', `${res.status} from upstream`);
    else report('failed', `${res.status} from upstream (a failure for the breaker)`);
  } catch (err) {
    // An open circuit rejects fetch with its usual TypeError; the cause says why.
    if (err.cause?.code === 'ECIRCUITOPEN') {
      report('rejected', `rejected at once: ${err.cause.message}`);
    } else {
      report('error', `network error: ${err.cause?.code ?? err.message}`);
    }
  }
}

async function main() {
  const seconds = Number(process.env.APP_SECONDS ?? 20);
  while (Date.now() - started < seconds * 1000) {
    await callUpstream();
    await new Promise((r) => setTimeout(r, 100));
  }
}

main();

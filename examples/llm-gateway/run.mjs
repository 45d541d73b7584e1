// node examples/llm-gateway/run.mjs
// Starts a local OpenAI-compatible fake and gateway.cjs under `--require otel-circuit-breaker/register`
// (host with preset llm), sends a question every 400 ms for 5 s, and rate-limits the fake (429,
// Retry-After: 2) from 1 s to 3 s. Exits 0 when the circuit opened for the Retry-After, the calls
// meanwhile failed at once with no SDK retry and no request sent, and it closed again (about 6 s).
import { fileURLToPath } from 'node:url';
import {
  finish,
  metricsPort,
  printSeries,
  scrape,
  startApp,
  stateIn,
  total,
  waitFor,
} from '../support/harness.mjs';
import { startFakeOpenAI } from '../support/fake-openai.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const BREAKER = '127.0.0.1'; // the host key in circuit-breakers.yaml
const fake = await startFakeOpenAI('provider');
console.log(
  `provider  ${fake.url}/v1 (OpenAI-compatible fake): 429 with Retry-After: 2 from t=1s to t=3s`,
);
console.log(
  'gateway   CIRCUIT_BREAKER_CONFIG=./circuit-breakers.yaml node --require otel-circuit-breaker/register gateway.cjs',
);
console.log(`metrics   http://127.0.0.1:${metricsPort}/metrics\n`);

const gateway = startApp(['--require', 'otel-circuit-breaker/register', 'gateway.cjs'], {
  cwd: here,
  prefix: '          ',
  env: { CIRCUIT_BREAKER_CONFIG: './circuit-breakers.yaml', OPENAI_BASE_URL: `${fake.url}/v1` },
});
const gatewayUrl = (await gateway.waitForLine(/listening on /)).split(' ').at(-1);

const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(1).padStart(4);
setTimeout(() => fake.fail(429, { 'retry-after': '2' }), 1000);
setTimeout(() => fake.heal(), 3000);

/** One question to the gateway; prints what came back, how fast, and what the provider has seen. */
async function askGateway(n) {
  const sentAt = `t=${seconds()}s`;
  const t0 = performance.now();
  const res = await fetch(`${gatewayUrl}/ask`, {
    method: 'POST',
    body: JSON.stringify({ question: `question ${n}` }),
  });
  const body = await res.json();
  const ms = Math.round(performance.now() - t0);
  const what = res.ok ? 'answered' : `error ${body.error}`;
  console.log(
    `#${String(n).padEnd(2)} ${sentAt}  ${res.status} ${what} in ${ms} ms` +
      `  (provider has received ${fake.requests()} requests)`,
  );
  // The one slow question is the one the 429 answered: the openai SDK honours Retry-After and
  // retries that single response once (its own rule, before the circuit was open). Questions
  // asked while the circuit is open are never retried: they are the fast circuit_open lines.
  if (ms >= 1000)
    console.log(
      `    ↳ #${n} met the 429 itself: the SDK waited its Retry-After (2 s) and retried once, so it ends late`,
    );
  return { status: res.status, error: body.error, ms };
}

const pending = [];
for (let n = 1; n <= 12; n++) {
  pending.push(askGateway(n));
  await new Promise((r) => setTimeout(r, 400));
}
const results = await Promise.all(pending);
const closed = await waitFor(async () => stateIn(await scrape(), BREAKER) === 'closed', 5_000);
const samples = await scrape();
console.log(`\nscrape of http://127.0.0.1:${metricsPort}/metrics (non-zero series):`);
printSeries(samples, (s) => !/rate$/.test(s.name));
await gateway.stop();
await fake.close();

const rejectedAtGateway = results.filter((r) => r.error === 'circuit_open');
const rejectedByBreaker = total(samples, 'circuit_breaker_calls_total', {
  circuit_breaker_name: BREAKER,
  circuit_breaker_outcome: 'rejected',
});
const admitted =
  total(samples, 'circuit_breaker_calls_total', {
    circuit_breaker_name: BREAKER,
    circuit_breaker_outcome: 'success',
  }) +
  total(samples, 'circuit_breaker_calls_total', {
    circuit_breaker_name: BREAKER,
    circuit_breaker_outcome: 'failure',
  });
console.log(
  `\n${results.length} questions; the provider received ${fake.requests()} requests; ` +
    `${rejectedAtGateway.length} questions were answered 503 circuit_open without a request`,
);
finish({
  'a 429 opened the circuit for its Retry-After':
    total(samples, 'circuit_breaker_failures_total', {
      circuit_breaker_name: BREAKER,
      circuit_breaker_failure_kind: 'rate_limited',
    }) > 0,
  // Generous bound: the point is that nobody waited for the SDK's back-off (0.5 s at least). The
  // one question that met the 429 waits its Retry-After inside the SDK's retry, and that retry may
  // land a hair before the circuit lets a probe through: it may be a slow circuit_open too.
  'while open, new questions failed at once (503 circuit_open, under 500 ms)':
    rejectedAtGateway.filter((r) => r.ms < 500).length >= 2 &&
    rejectedAtGateway.filter((r) => r.ms >= 500).length <= 1,
  'the SDK did not retry them (one rejected call per question)':
    rejectedByBreaker === rejectedAtGateway.length,
  'no rejected call reached the provider': fake.requests() === admitted,
  'the circuit closed again and the last questions were answered':
    Boolean(closed) && results.at(-1).status === 200,
});

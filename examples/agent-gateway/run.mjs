// node examples/agent-gateway/run.mjs
// Starts two local OpenAI-compatible providers and gateway.cjs under
// `--require otel-circuit-breaker/register`, asks a question every 300 ms for about 5 s, and makes
// the primary answer 500 from t=1.2 s to t=3 s. Exits 0 when the questions went to the secondary
// while the primary's circuit was open (with no request to the primary), came back to the primary
// after it recovered, and the metrics showed both agent breakers (about 6 s).
import { fileURLToPath } from 'node:url';
import { startFakeOpenAI } from '../support/fake-openai.mjs';
import {
  finish,
  metricsPort,
  printSeries,
  scrape,
  startApp,
  stateIn,
  total,
} from '../support/harness.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const primary = await startFakeOpenAI('primary');
const secondary = await startFakeOpenAI('secondary');
console.log(`primary   ${primary.url}/v1: answers 500 from t=1.2s to t=3s`);
console.log(`secondary ${secondary.url}/v1: always answers`);
console.log('gateway   node --require otel-circuit-breaker/register gateway.cjs');
console.log(`metrics   http://127.0.0.1:${metricsPort}/metrics\n`);

const gateway = startApp(['--require', 'otel-circuit-breaker/register', 'gateway.cjs'], {
  cwd: here,
  prefix: '          ',
  env: { PRIMARY_URL: `${primary.url}/v1`, SECONDARY_URL: `${secondary.url}/v1` },
});
const gatewayUrl = (await gateway.waitForLine(/listening on /)).split(' ').at(-1);

const started = Date.now();
const seconds = () => ((Date.now() - started) / 1000).toFixed(1).padStart(4);
setTimeout(() => primary.fail(500), 1200);
setTimeout(() => primary.heal(), 3000);

// Ask one question at a time; print a line when the answering path changes.
const replies = [];
let current;
for (let n = 1; n <= 18; n++) {
  const res = await fetch(`${gatewayUrl}/ask`, {
    method: 'POST',
    body: JSON.stringify({ question: `question ${n}` }),
  });
  const reply = { n, status: res.status, ...(await res.json()), primarySeen: primary.requests() };
  replies.push(reply);
  const path = reply.error ?? `answered by ${reply.by}${reply.why ? ` (${reply.why})` : ''}`;
  if (path !== current?.path) {
    if (current !== undefined) console.log(`                … ${current.count} × ${current.path}`);
    console.log(
      `t=${seconds()}s  #${String(n).padEnd(2)} ${path}  [primary has received ${reply.primarySeen} requests]`,
    );
    current = { path, count: 1 };
  } else current.count++;
  await new Promise((r) => setTimeout(r, 300));
}
console.log(`                … ${current.count} × ${current.path}`);

const samples = await scrape();
console.log(`\nscrape of http://127.0.0.1:${metricsPort}/metrics (non-zero series):`);
printSeries(samples, (s) => /_(state|calls_total|transitions_total)$/.test(s.name));
await gateway.stop();
await Promise.all([primary.close(), secondary.close()]);

const whileOpen = replies.filter((r) => r.why?.startsWith('primary circuit open'));
const firstOpen = replies.indexOf(whileOpen[0]);
finish({
  'every question was answered': replies.every((r) => r.status === 200),
  "questions went to the secondary while the primary's circuit was open": whileOpen.length >= 2,
  'the primary received no request meanwhile':
    whileOpen.length > 0 && whileOpen.every((r) => r.primarySeen === whileOpen[0].primarySeen),
  'the primary answered again after it recovered': replies
    .slice(firstOpen + 1)
    .some((r) => r.by === 'primary'),
  'metrics show both agent breakers':
    stateIn(samples, 'agent:primary') === 'closed' &&
    stateIn(samples, 'agent:secondary') === 'closed' &&
    total(samples, 'circuit_breaker_transitions_total', {
      circuit_breaker_name: 'agent:primary',
      circuit_breaker_to: 'open',
    }) > 0,
});

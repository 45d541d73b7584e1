// An agent gateway with two OpenAI-compatible providers. Each client is wrapped with
// registerAgentClient, so every call runs through its own breaker (`agent:primary`,
// `agent:secondary`); short blips are retried, and when the primary fails or its circuit is open
// the question goes to the secondary. Run with `node --require otel-circuit-breaker/register
// gateway.cjs` for the Prometheus endpoint (no hosts need to be configured for agent breakers).
const { createServer } = require('node:http');
const OpenAI = require('openai');
const {
  isCircuitOpenError,
  registerAgentClient,
  retry,
  withFallback,
} = require('otel-circuit-breaker');

// maxRetries: 0 — the breaker should see every attempt, and retry() below owns retries.
const primary = registerAgentClient(
  'primary',
  new OpenAI({ baseURL: process.env.PRIMARY_URL, apiKey: 'sk-local-example', maxRetries: 0 }),
  // Preset llm (3 failures in a row open the circuit) with a short open time for the example.
  { settings: { openSeconds: 2, jitterRatio: 0 } },
);
const secondary = registerAgentClient(
  'secondary',
  new OpenAI({ baseURL: process.env.SECONDARY_URL, apiKey: 'sk-local-example', maxRetries: 0 }),
);

const chat = (client, question) =>
  client.chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: question }] })
    .then((completion) => completion.choices[0].message.content);

const ask = withFallback(
  // Retry a blip once, but never into an open circuit, and don't wait for it to reopen: a gateway
  // with a second provider would rather fall back than hold the caller.
  (question) =>
    retry(() => chat(primary, question), {
      breaker: primary,
      maxAttempts: 2,
      maxRetryAfterMs: 500,
    }),
  {
    fallback: async (error, question) => ({
      by: 'secondary',
      why: isCircuitOpenError(error)
        ? 'primary circuit open, primary not called'
        : `primary failed: ${error.status ?? error.code ?? error.message}`,
      answer: await chat(secondary, question),
    }),
  },
);

const server = createServer(async (req, res) => {
  let body = '';
  for await (const chunk of req) body += chunk;
  const { question } = JSON.parse(body);
  try {
    const result = await ask(question);
    // The primary path returns a string, the fallback an object saying why.
    const reply = typeof result === 'string' ? { by: 'primary', answer: result } : result;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(reply));
  } catch (err) {
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: err.message }));
  }
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`gateway listening on http://127.0.0.1:${server.address().port}`);
});

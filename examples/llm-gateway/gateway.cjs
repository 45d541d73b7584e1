// A small LLM gateway: POST /ask {"question": "…"} → one chat completion from the provider, with the
// real openai SDK (default settings: 2 retries). No circuit-breaker code here: run it with
// `node --require otel-circuit-breaker/register gateway.cjs` and a config naming the provider host.
const { createServer } = require('node:http');
const OpenAI = require('openai');

const openai = new OpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: 'sk-local-example' });

async function ask(question) {
  const completion = await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: question }],
  });
  return completion.choices[0].message.content;
}

const server = createServer(async (req, res) => {
  let body = '';
  for await (const chunk of req) body += chunk;
  try {
    const answer = await ask(JSON.parse(body).question);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ answer }));
  } catch (err) {
    // openai's APIError carries the provider's status, headers and error body; an open circuit
    // arrives as a 503 whose error type is `circuit_open`.
    const status = err.status ?? 502;
    const headers = { 'content-type': 'application/json' };
    const retryAfter = err.headers?.get?.('retry-after');
    if (retryAfter) headers['retry-after'] = retryAfter;
    res.writeHead(status, headers);
    res.end(JSON.stringify({ error: err.error?.type ?? err.error?.code ?? err.message }));
  }
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`gateway listening on http://127.0.0.1:${server.address().port}`);
});

// A local OpenAI-compatible endpoint (POST /v1/chat/completions) whose rate limit the driver can
// switch on and off: while limited it answers 429 with Retry-After, like api.openai.com does.
import { sendJson, startUpstream } from '../support/harness.mjs';

/** Starts the fake on a free port. `rateLimit(seconds)` answers 429 + Retry-After from now on; `rateLimit(0)` stops. */
export async function startFakeOpenAI() {
  let retryAfterSeconds = 0;
  const server = await startUpstream((req, res, body) => {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      return sendJson(res, 404, { error: { message: 'not found', type: 'invalid_request_error' } });
    }
    if (retryAfterSeconds > 0) {
      return sendJson(
        res,
        429,
        {
          error: {
            message: 'Rate limit reached for requests',
            type: 'requests',
            code: 'rate_limit_exceeded',
          },
        },
        { 'retry-after': String(retryAfterSeconds) },
      );
    }
    const question = JSON.parse(body).messages.at(-1).content;
    sendJson(res, 200, {
      id: 'chatcmpl-local',
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: 'gpt-4o-mini',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: `You asked: ${question}` },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
    });
  });
  return {
    ...server,
    rateLimit(seconds) {
      retryAfterSeconds = seconds;
    },
  };
}

// A local OpenAI-compatible provider (POST /v1/chat/completions) that the driver can make fail:
// `fail(status, headers)` answers every request with that error from now on (e.g. 429 with
// Retry-After, like api.openai.com when rate-limited, or 500); `heal()` goes back to answering.
import { sendJson, startUpstream } from './harness.mjs';

const ERROR_BODIES = {
  429: {
    message: 'Rate limit reached for requests',
    type: 'requests',
    code: 'rate_limit_exceeded',
  },
  500: { message: 'The server had an error while processing your request.', type: 'server_error' },
};

/** Starts the fake on a free port; its answers start with `name` so you can tell providers apart. */
export async function startFakeOpenAI(name = 'fake') {
  let failure; // { status, headers } while failing
  const server = await startUpstream((req, res, body) => {
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      return sendJson(res, 404, { error: { message: 'not found', type: 'invalid_request_error' } });
    }
    if (failure !== undefined) {
      const error = ERROR_BODIES[failure.status] ?? { message: 'error', type: 'server_error' };
      return sendJson(res, failure.status, { error }, failure.headers);
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
          message: { role: 'assistant', content: `${name} says: you asked "${question}"` },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 },
    });
  });
  return {
    ...server,
    fail(status, headers = {}) {
      failure = { status, headers };
    },
    heal() {
      failure = undefined;
    },
  };
}

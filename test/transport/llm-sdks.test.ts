// The real openai and @anthropic-ai/sdk clients, pointed by baseURL at a local fake:
// with rejectWith 'response' and the SDKs' DEFAULT retries, an open circuit fails the call at
// once, sends nothing and is not retried. (No timing is asserted: the request counter at the
// server and the number of fetch attempts the SDK made prove it.)
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  disableUndiciTransport,
  enableUndiciTransport,
} from '../../src/transport/undici/undici-transport.js';
import { answers, CountingServer } from './support/counting-server.js';
import { rule, transportFixture, type RuleOptions } from './support/transport-fixture.js';

let server: CountingServer;

beforeAll(async () => {
  server = await CountingServer.start();
});
afterAll(async () => {
  disableUndiciTransport();
  await server.close();
});
afterEach(() => {
  disableUndiciTransport();
  server.reset();
});

function protect(options: RuleOptions = {}) {
  const fixture = transportFixture([rule(server.hostPort, options)]);
  enableUndiciTransport(fixture.resolve);
  return fixture.breaker(server.hostPort);
}

const chatCompletion = JSON.stringify({
  id: 'c1',
  object: 'chat.completion',
  created: 0,
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }],
});
const anthropicMessage = JSON.stringify({
  id: 'm1',
  type: 'message',
  role: 'assistant',
  model: 'm',
  content: [{ type: 'text', text: 'hi' }],
  stop_reason: 'end_turn',
  usage: { input_tokens: 1, output_tokens: 1 },
});

/** Counts every attempt the SDK makes (its retries included) on its way into the built-in fetch. */
function countingFetch() {
  const counter = { attempts: 0 };
  const fetchFn: typeof fetch = (input, init) => {
    counter.attempts++;
    return fetch(input, init);
  };
  return { counter, fetchFn };
}

interface SdkCase {
  readonly path: string;
  readonly okBody: string;
  call(options: { maxRetries?: number; fetch: typeof fetch }): Promise<unknown>;
}

const sdks: Array<[string, SdkCase]> = [
  [
    'openai',
    {
      path: '/v1/chat/completions',
      okBody: chatCompletion,
      call: (o) =>
        new OpenAI({ apiKey: 'sk-test', baseURL: server.url('/v1'), ...o }).chat.completions.create(
          {
            model: 'm',
            messages: [{ role: 'user', content: 'hello' }],
          },
        ),
    },
  ],
  [
    '@anthropic-ai/sdk',
    {
      path: '/v1/messages',
      okBody: anthropicMessage,
      call: (o) =>
        new Anthropic({ apiKey: 'sk-test', baseURL: server.origin, ...o }).messages.create({
          model: 'm',
          max_tokens: 10,
          messages: [{ role: 'user', content: 'hello' }],
        }),
    },
  ],
];

describe.each(sdks)('%s', (_name, sdk) => {
  it('200 counts as success', async () => {
    const breaker = protect({ preset: 'llm' });
    server.route(sdk.path, answers.status(200, {}, sdk.okBody));
    const { fetchFn } = countingFetch();
    await sdk.call({ fetch: fetchFn, maxRetries: 0 });
    expect(breaker.counters.successes).toBe(1);
  });

  it('500 counts as a server failure', async () => {
    const breaker = protect({ preset: 'llm' });
    server.route(sdk.path, answers.status(500));
    const { fetchFn } = countingFetch();
    await expect(sdk.call({ fetch: fetchFn, maxRetries: 0 })).rejects.toMatchObject({
      status: 500,
    });
    expect(breaker.counters.failures).toBe(1);
    expect(breaker.status().lastError?.kind).toBe('server');
  });

  it('429 with retry-after opens the circuit for that long', async () => {
    const breaker = protect({ preset: 'llm' });
    server.route(sdk.path, answers.status(429, { 'retry-after': '20' }));
    const { fetchFn } = countingFetch();
    await expect(sdk.call({ fetch: fetchFn, maxRetries: 0 })).rejects.toMatchObject({
      status: 429,
    });
    expect(breaker.currentState).toBe('open');
    expect(breaker.status().lastError?.kind).toBe('rate_limited');
    expect(breaker.retryAfterMs()).toBeGreaterThan(19_000);
    expect(breaker.retryAfterMs()).toBeLessThanOrEqual(20_000);
  });

  it('open circuit with rejectWith response and default retries: one attempt, nothing sent', async () => {
    const breaker = protect({ preset: 'llm', rejectWith: 'response' });
    breaker.forceOpen();
    const { counter, fetchFn } = countingFetch();
    const error = (await sdk.call({ fetch: fetchFn }).catch((e: unknown) => e)) as {
      status?: number;
      message?: string;
    };
    expect(error.status).toBe(503);
    expect(error.message).toMatch(/circuit breaker .* is forced_open/);
    expect(counter.attempts).toBe(1);
    expect(server.requests).toBe(0);
    expect(server.connections).toBe(0);
  });
});

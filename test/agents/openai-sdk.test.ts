import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerAgentClient } from '../../src/agents/register-agent-client.js';
import { ManualClock } from '../../src/core/clock.js';
import { CircuitOpenError } from '../../src/core/errors.js';
import { BreakerRegistry } from '../../src/registry/breaker-registry.js';
import {
  closedPort,
  FakeServer,
  hang,
  json,
  openAiChunk,
  openAiCompletion,
  sse,
} from './fake-llm-server.js';
import { waitFor } from '../utils/wait-for.js';

const request = { model: 'gpt-test', messages: [{ role: 'user' as const, content: 'hi' }] };

describe('registerAgentClient with the real openai SDK', () => {
  let server: FakeServer;
  let clock: ManualClock;
  let registry: BreakerRegistry;

  beforeEach(async () => {
    server = await new FakeServer(json(200, openAiCompletion)).start();
    clock = new ManualClock();
    registry = new BreakerRegistry({ clock, random: () => 0 });
  });
  afterEach(async () => {
    await server.close();
  });

  function agent(options: { maxRetries?: number; baseURL?: string; name?: string } = {}) {
    const client = new OpenAI({
      apiKey: 'test-key',
      baseURL: options.baseURL ?? `${server.url}/v1`,
      maxRetries: options.maxRetries ?? 0,
    });
    const wrapped = registerAgentClient(options.name ?? 'gpt', client, { registry, clock });
    return { client, wrapped, breaker: registry.get(`agent:${options.name ?? 'gpt'}`) };
  }

  it('passes a 200 through, keeps .withResponse() and counts a success', async () => {
    const { wrapped, breaker, client } = agent();
    const completion = await wrapped.chat.completions.create(request);
    expect(completion.choices[0]?.message.content).toBe('hello');
    const { data, response } = await wrapped.chat.completions.create(request).withResponse();
    expect(data.id).toBe('chatcmpl-1');
    expect(response.status).toBe(200);
    expect(breaker.counters.successes).toBe(2);
    expect(breaker.policy.failureThreshold).toBe(3); // the llm preset
    // The original client is untouched and the wrapped one is stable.
    expect(wrapped.chat).toBe(wrapped.chat);
    expect(wrapped.chat.completions.create).toBe(wrapped.chat.completions.create);
    expect(client.chat.completions.create).not.toBe(wrapped.chat.completions.create);
  });

  it('does not count synchronous helpers such as withOptions() and buildURL()', async () => {
    const { wrapped, breaker } = agent();
    const other = wrapped.withOptions({ timeout: 1000 });
    expect(other).toBeInstanceOf(OpenAI);
    expect(wrapped.buildURL('/models', null)).toContain('/v1/models');
    expect(breaker.counters).toMatchObject({ successes: 0, failures: 0, ignored: 0 });
  });

  it('classifies a 429 with retry-after as rate_limited and opens for that long', async () => {
    const { wrapped, breaker } = agent();
    server.next(
      json(
        429,
        { error: { message: 'slow down', type: 'rate_limit_exceeded' } },
        { 'retry-after': '7' },
      ),
    );
    await expect(wrapped.chat.completions.create(request)).rejects.toMatchObject({ status: 429 });
    expect(breaker.lastFailureKind).toBe('rate_limited');
    expect(breaker.currentState).toBe('open');
    expect(breaker.retryAfterMs()).toBe(6990);
  });

  it('classifies insufficient_quota as a quota failure', async () => {
    const { wrapped, breaker } = agent();
    server.next(
      json(429, {
        error: {
          message: 'You exceeded your current quota',
          type: 'insufficient_quota',
          code: 'insufficient_quota',
        },
      }),
    );
    await expect(wrapped.chat.completions.create(request)).rejects.toMatchObject({ status: 429 });
    expect(breaker.lastFailureKind).toBe('quota');
    expect(breaker.currentState).toBe('open');
    // An exhausted quota opens for quotaOpenSeconds (3600 s by default), not capped by maxOpenSeconds.
    expect(breaker.retryAfterMs()).toBe(3_600_000);
  });

  it('counts 500s as server failures and opens after three, then rejects without a request', async () => {
    const { wrapped, breaker } = agent();
    server.setFallback(json(500, { error: { message: 'boom', type: 'server_error' } }));
    for (let i = 0; i < 3; i++) {
      await expect(wrapped.chat.completions.create(request)).rejects.toMatchObject({ status: 500 });
    }
    expect(breaker.lastFailureKind).toBe('server');
    expect(breaker.currentState).toBe('open');
    const seen = server.requests;
    const rejected = wrapped.chat.completions.create(request);
    await expect(rejected).rejects.toBeInstanceOf(CircuitOpenError);
    await expect(wrapped.chat.completions.create(request).withResponse()).rejects.toMatchObject({
      code: 'ECIRCUITOPEN',
      breakerName: 'agent:gpt',
    });
    expect(server.requests).toBe(seen);
    expect(breaker.counters.rejected).toBe(2);
  });

  it('with default SDK retries, one call is one breaker outcome and the open circuit rejects at once', async () => {
    const { wrapped, breaker } = agent({ maxRetries: 2 });
    // retry-after-ms keeps the SDK's own retries short; the breaker honours it as well.
    server.setFallback(
      json(
        503,
        { error: { message: 'unavailable', type: 'server_error' } },
        { 'retry-after-ms': '5' },
      ),
    );
    await expect(wrapped.chat.completions.create(request)).rejects.toMatchObject({ status: 503 });
    expect(server.requests).toBe(3); // the SDK retried twice inside one protected call
    expect(breaker.counters.failures).toBe(1);
    expect(breaker.currentState).toBe('open'); // opened for the 5 ms the server asked for (clock is manual)
    await expect(wrapped.chat.completions.create(request)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(server.requests).toBe(3);
  });

  it('classifies a refused connection as a connection failure', async () => {
    const { wrapped, breaker } = agent({ baseURL: `http://127.0.0.1:${await closedPort()}/v1` });
    await expect(wrapped.chat.completions.create(request)).rejects.toBeInstanceOf(
      OpenAI.APIConnectionError,
    );
    expect(breaker.lastFailureKind).toBe('connection');
    expect(breaker.counters.failures).toBe(1);
  });

  it('ignores a call the caller aborted', async () => {
    const { wrapped, breaker } = agent();
    server.next(hang);
    const controller = new AbortController();
    const pending = wrapped.chat.completions.create(request, { signal: controller.signal });
    await waitFor(() => server.requests === 1, 'the request at the server');
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(breaker.counters).toMatchObject({ ignored: 1, failures: 0, successes: 0 });
  });

  it('streams come back as SDK streams; a complete stream is a success', async () => {
    const { wrapped, breaker } = agent();
    server.next(
      sse([{ data: openAiChunk('hel') }, { data: openAiChunk('lo') }, { data: '[DONE]' }]),
    );
    const stream = await wrapped.chat.completions.create({ ...request, stream: true });
    expect(typeof stream.toReadableStream).toBe('function');
    expect(breaker.counters.successes).toBe(0); // not settled until the stream ends
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('hello');
    expect(breaker.counters.successes).toBe(1);
  });

  it('an error event in the middle of a stream is a failure of that call', async () => {
    const { wrapped, breaker } = agent();
    server.next(
      sse([
        { data: openAiChunk('hel') },
        { data: { error: { message: 'overloaded', type: 'server_error' } } },
      ]),
    );
    const stream = await wrapped.chat.completions.create({ ...request, stream: true });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? '');
      })(),
    ).rejects.toBeInstanceOf(OpenAI.APIError);
    expect(seen).toEqual(['hel']);
    expect(breaker.counters).toMatchObject({ failures: 1, successes: 0 });
    expect(breaker.lastFailureKind).toBe('server');
  });

  it('a connection dropped in the middle of a stream is a connection failure', async () => {
    const { wrapped, breaker } = agent();
    server.next(sse([{ data: openAiChunk('hel') }], { destroy: true }));
    const stream = await wrapped.chat.completions.create({ ...request, stream: true });
    await expect(
      (async () => {
        for await (const _chunk of stream) void _chunk;
      })(),
    ).rejects.toThrow();
    expect(breaker.counters.failures).toBe(1);
    expect(breaker.lastFailureKind).toBe('connection');
  });

  it('chat.completions.stream() (an event stream object) settles on its end', async () => {
    const { wrapped, breaker } = agent();
    server.next(
      sse([
        { data: openAiChunk('hel') },
        { data: { error: { message: 'x', type: 'server_error' } } },
      ]),
    );
    const runner = wrapped.chat.completions.stream(request);
    await expect(runner.finalChatCompletion()).rejects.toBeInstanceOf(OpenAI.APIError);
    await waitFor(() => breaker.counters.failures === 1, 'the call to settle as a failure');
    expect(breaker.lastFailureKind).toBe('server');
  });
});

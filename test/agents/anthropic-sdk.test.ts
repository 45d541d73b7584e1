import Anthropic from '@anthropic-ai/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerAgentClient } from '../../src/agents/register-agent-client.js';
import { ManualClock } from '../../src/core/clock.js';
import { CircuitOpenError } from '../../src/core/errors.js';
import { BreakerRegistry } from '../../src/registry/breaker-registry.js';
import {
  anthropicMessage,
  anthropicStreamEnd,
  anthropicStreamStart,
  closedPort,
  FakeServer,
  hang,
  json,
  sse,
} from './fake-llm-server.js';
import { waitFor } from '../utils/wait-for.js';

const request = {
  model: 'claude-test',
  max_tokens: 16,
  messages: [{ role: 'user' as const, content: 'hi' }],
};
const overloadedFrame = `event: error\ndata: ${JSON.stringify({
  type: 'error',
  error: { type: 'overloaded_error', message: 'Overloaded' },
})}\n\n`;

describe('registerAgentClient with the real @anthropic-ai/sdk', () => {
  let server: FakeServer;
  let clock: ManualClock;
  let registry: BreakerRegistry;

  beforeEach(async () => {
    server = await new FakeServer(json(200, anthropicMessage)).start();
    clock = new ManualClock();
    registry = new BreakerRegistry({ clock, random: () => 0 });
  });
  afterEach(async () => {
    await server.close();
  });

  function agent(options: { maxRetries?: number; baseURL?: string } = {}) {
    const client = new Anthropic({
      apiKey: 'test-key',
      baseURL: options.baseURL ?? server.url,
      maxRetries: options.maxRetries ?? 0,
    });
    const wrapped = registerAgentClient('claude', client, {
      registry,
      clock,
      settings: { quotaOpenSeconds: 900 },
    });
    return { wrapped, breaker: registry.get('agent:claude') };
  }

  it('passes a 200 through and keeps .withResponse()', async () => {
    const { wrapped, breaker } = agent();
    const message = await wrapped.messages.create(request);
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'hello' });
    const { data, response } = await wrapped.messages.create(request).withResponse();
    expect(data.id).toBe('msg_1');
    expect(response.status).toBe(200);
    expect(breaker.counters.successes).toBe(2);
  });

  it('classifies a 429 with retry-after as rate_limited', async () => {
    const { wrapped, breaker } = agent();
    server.next(
      json(
        429,
        { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } },
        { 'retry-after': '12' },
      ),
    );
    await expect(wrapped.messages.create(request)).rejects.toBeInstanceOf(Anthropic.RateLimitError);
    expect(breaker.lastFailureKind).toBe('rate_limited');
    expect(breaker.retryAfterMs()).toBe(11_990);
  });

  it('classifies a spend-limit 429 as quota, open for quotaOpenSeconds', async () => {
    const { wrapped, breaker } = agent();
    server.next(
      json(429, {
        type: 'error',
        error: {
          type: 'rate_limit_error',
          message: 'spend limit reached',
          details: { error_code: 'enforced_spend_limit_reached' },
        },
      }),
    );
    await expect(wrapped.messages.create(request)).rejects.toMatchObject({ status: 429 });
    expect(breaker.lastFailureKind).toBe('quota');
    expect(breaker.retryAfterMs()).toBe(900_000); // quotaOpenSeconds from the agent's settings, not capped
  });

  it('classifies 529 overloaded and 500 as server failures, then rejects without entering the SDK', async () => {
    const { wrapped, breaker } = agent();
    server.next(
      json(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }),
      json(500, { type: 'error', error: { type: 'api_error', message: 'boom' } }),
      json(500, { type: 'error', error: { type: 'api_error', message: 'boom' } }),
    );
    await expect(wrapped.messages.create(request)).rejects.toBeInstanceOf(
      Anthropic.OverloadedError,
    );
    expect(breaker.lastFailureKind).toBe('server');
    await expect(wrapped.messages.create(request)).rejects.toBeInstanceOf(
      Anthropic.InternalServerError,
    );
    await expect(wrapped.messages.create(request)).rejects.toBeInstanceOf(
      Anthropic.InternalServerError,
    );
    expect(breaker.currentState).toBe('open');
    expect(server.requests).toBe(3);
    await expect(wrapped.messages.create(request)).rejects.toBeInstanceOf(CircuitOpenError);
    // messages.stream() returns its stream object synchronously: while open it throws at once.
    expect(() => wrapped.messages.stream(request)).toThrow(CircuitOpenError);
    expect(server.requests).toBe(3);
  });

  it('does not count 400/401 as failures', async () => {
    const { wrapped, breaker } = agent();
    server.next(
      json(400, { type: 'error', error: { type: 'invalid_request_error', message: 'bad' } }),
      json(401, { type: 'error', error: { type: 'authentication_error', message: 'key' } }),
    );
    await expect(wrapped.messages.create(request)).rejects.toBeInstanceOf(
      Anthropic.BadRequestError,
    );
    await expect(wrapped.messages.create(request)).rejects.toBeInstanceOf(
      Anthropic.AuthenticationError,
    );
    expect(breaker.counters).toMatchObject({ failures: 0, successes: 2 });
  });

  it('classifies a refused connection as a connection failure', async () => {
    const { wrapped, breaker } = agent({ baseURL: `http://127.0.0.1:${await closedPort()}` });
    await expect(wrapped.messages.create(request)).rejects.toBeInstanceOf(
      Anthropic.APIConnectionError,
    );
    expect(breaker.lastFailureKind).toBe('connection');
  });

  it('ignores a caller abort', async () => {
    const { wrapped, breaker } = agent();
    server.next(hang);
    const controller = new AbortController();
    const pending = wrapped.messages.create(request, { signal: controller.signal });
    await waitFor(() => server.requests === 1, 'the request at the server');
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(Anthropic.APIUserAbortError);
    expect(breaker.counters).toMatchObject({ ignored: 1, failures: 0 });
  });

  it('create({ stream: true }): a complete stream is a success, an overloaded event midway a failure', async () => {
    const { wrapped, breaker } = agent();
    server.next(
      sse([...anthropicStreamStart, ...anthropicStreamEnd]),
      sse(anthropicStreamStart, { tail: overloadedFrame }),
    );
    const ok = await wrapped.messages.create({ ...request, stream: true });
    for await (const _event of ok) void _event;
    expect(breaker.counters.successes).toBe(1);

    const broken = await wrapped.messages.create({ ...request, stream: true });
    const types: string[] = [];
    await expect(
      (async () => {
        for await (const event of broken) types.push(event.type);
      })(),
    ).rejects.toMatchObject({ type: 'overloaded_error' });
    expect(types).toContain('content_block_delta');
    expect(breaker.counters.failures).toBe(1);
    expect(breaker.lastFailureKind).toBe('server');
  });

  it('messages.stream(): the MessageStream comes back as is and an error midway counts as a failure', async () => {
    const { wrapped, breaker } = agent();
    server.next(
      sse([...anthropicStreamStart, ...anthropicStreamEnd]),
      sse(anthropicStreamStart, { tail: overloadedFrame }),
    );
    const good = wrapped.messages.stream(request);
    expect(good.constructor.name).toBe('MessageStream');
    expect(await good.finalText()).toBe('hel');
    await waitFor(() => breaker.counters.successes === 1, 'the call to settle as a success');

    const bad = wrapped.messages.stream(request);
    const texts: string[] = [];
    bad.on('text', (t) => texts.push(t));
    await expect(bad.finalMessage()).rejects.toMatchObject({ type: 'overloaded_error' });
    expect(texts).toEqual(['hel']);
    await waitFor(() => breaker.counters.failures === 1, 'the call to settle as a failure');
    expect(breaker.lastFailureKind).toBe('server');
  });
});

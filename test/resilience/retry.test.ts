import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerAgentClient } from '../../src/agents/register-agent-client.js';
import { CircuitBreaker } from '../../src/core/breaker.js';
import { ManualClock } from '../../src/core/clock.js';
import { CircuitOpenError } from '../../src/core/errors.js';
import { resolvePolicy } from '../../src/core/policy.js';
import { BreakerRegistry } from '../../src/registry/breaker-registry.js';
import { retry } from '../../src/index.js';
import { FakeServer, json, openAiCompletion } from '../agents/fake-llm-server.js';

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly headers?: Record<string, string>,
  ) {
    super(`status ${status}`);
  }
}

/** A sleep that moves the manual clock instead of waiting, and records every wait. */
function fakeSleep(clock: ManualClock) {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms: number) => {
      waits.push(ms);
      clock.advance(ms);
    },
  };
}

function script(...outcomes: Array<Error | string>) {
  let calls = 0;
  const fn = async (): Promise<string> => {
    const next = outcomes[Math.min(calls++, outcomes.length - 1)];
    if (next instanceof Error) throw next;
    return next as string;
  };
  return { fn, calls: () => calls };
}

describe('retry', () => {
  it('retries failures with exponential backoff and full jitter, then succeeds', async () => {
    const clock = new ManualClock();
    const { waits, sleep } = fakeSleep(clock);
    const s = script(new HttpError(500), new HttpError(502), 'ok');
    const result = await retry(s.fn, {
      maxAttempts: 4,
      baseDelayMs: 100,
      sleep,
      random: () => 0.5,
    });
    expect(result).toBe('ok');
    expect(waits).toEqual([50, 100]); // random × min(max, base × 2^(n-1))
  });

  it('gives up after maxAttempts with the last error', async () => {
    const { sleep } = fakeSleep(new ManualClock());
    const s = script(new HttpError(500), new HttpError(503));
    await expect(retry(s.fn, { maxAttempts: 2, sleep })).rejects.toMatchObject({ status: 503 });
    expect(s.calls()).toBe(2);
  });

  it('never retries quota failures, caller errors, aborts or CircuitOpenError', async () => {
    const { sleep, waits } = fakeSleep(new ManualClock());
    const quota = Object.assign(new HttpError(429), { code: 'insufficient_quota' });
    const cases: Error[] = [
      quota,
      new HttpError(400),
      new HttpError(401),
      new DOMException('aborted', 'AbortError'),
      new CircuitOpenError({ name: 'x', state: 'open', retryAfterMs: 1000 }),
    ];
    for (const error of cases) {
      const s = script(error, 'ok');
      await expect(retry(s.fn, { sleep })).rejects.toBe(error);
      expect(s.calls()).toBe(1);
    }
    expect(waits).toEqual([]);
  });

  it('waits exactly the Retry-After, and stops when it is longer than allowed', async () => {
    const { sleep, waits } = fakeSleep(new ManualClock());
    const s = script(new HttpError(429, { 'retry-after': '2' }), 'ok');
    expect(await retry(s.fn, { sleep })).toBe('ok');
    expect(waits).toEqual([2000]);
    const long = script(new HttpError(429, { 'retry-after': '120' }), 'ok');
    await expect(retry(long.fn, { sleep })).rejects.toMatchObject({ status: 429 });
    expect(long.calls()).toBe(1);
  });

  it('never retries into an open circuit: stops with the last error once execute() tripped it', async () => {
    const clock = new ManualClock();
    const { sleep } = fakeSleep(clock);
    const breaker = new CircuitBreaker({
      name: 'b',
      clock,
      policy: resolvePolicy({ failureThreshold: 2 }),
    });
    const s = script(new HttpError(500));
    await expect(
      retry(() => breaker.execute(s.fn), { breaker, maxAttempts: 5, sleep, random: () => 0 }),
    ).rejects.toMatchObject({ status: 500 });
    expect(s.calls()).toBe(2); // the second failure opened the circuit: no third attempt
    expect(breaker.currentState).toBe('open');
    expect(breaker.counters.rejected).toBe(0);
  });

  it('waits for a short open time (Retry-After) and retries as the half-open probe', async () => {
    const clock = new ManualClock();
    const { sleep, waits } = fakeSleep(clock);
    // The breaker honours the 429's Retry-After (3 s) by opening for exactly that long.
    const classify = () => ({
      outcome: 'failure' as const,
      kind: 'rate_limited' as const,
      retryAfterMs: 3000,
    });
    const breaker = new CircuitBreaker({
      name: 'b',
      clock,
      classify,
      random: () => 0,
      policy: resolvePolicy({ preset: 'llm' }),
    });
    const s = script(new HttpError(429, { 'retry-after': '3' }), 'ok');
    const result = retry(() => breaker.execute(s.fn), { breaker, sleep });
    expect(await result).toBe('ok');
    expect(waits).toEqual([3000]);
    expect(breaker.currentState).toBe('closed'); // the retry was the probe that closed it
  });

  it('does not attempt at all when the circuit is forced open', async () => {
    const clock = new ManualClock();
    const { sleep } = fakeSleep(clock);
    const breaker = new CircuitBreaker({ name: 'b', clock });
    const s = script(new HttpError(500), 'ok');
    const attempt = retry(
      async () => {
        const result = await breaker.execute(s.fn);
        return result;
      },
      { breaker, sleep, random: () => 0 },
    );
    breaker.forceOpen();
    await expect(attempt).rejects.toMatchObject({ status: 500 });
    expect(s.calls()).toBe(1);
  });

  it('stops when the signal aborts while waiting', async () => {
    const controller = new AbortController();
    const sleep = async () => {
      controller.abort();
      throw new DOMException('aborted', 'AbortError');
    };
    const s = script(new HttpError(500), 'ok');
    await expect(retry(s.fn, { sleep, signal: controller.signal })).rejects.toMatchObject({
      status: 500,
    });
    expect(s.calls()).toBe(1);
  });
});

describe('retry with a registered openai client', () => {
  let server: FakeServer;
  beforeEach(async () => {
    server = await new FakeServer(json(200, openAiCompletion)).start();
  });
  afterEach(async () => {
    await server.close();
  });

  it('retries 500s through the agent breaker and stops when it opens', async () => {
    const clock = new ManualClock();
    const registry = new BreakerRegistry({ clock, random: () => 0 });
    const client = new OpenAI({ apiKey: 'k', baseURL: `${server.url}/v1`, maxRetries: 0 });
    const agent = registerAgentClient('gpt', client, { registry, clock });
    const request = { model: 'gpt-test', messages: [{ role: 'user' as const, content: 'hi' }] };

    server.next(json(500, { error: { type: 'server_error' } }));
    const { sleep } = fakeSleep(clock);
    const ok = await retry(() => agent.chat.completions.create(request), { breaker: agent, sleep });
    expect(ok.id).toBe('chatcmpl-1');
    expect(server.requests).toBe(2);

    server.setFallback(json(500, { error: { type: 'server_error' } }));
    await expect(
      retry(() => agent.chat.completions.create(request), {
        breaker: agent,
        sleep,
        maxAttempts: 10,
      }),
    ).rejects.toMatchObject({ status: 500 });
    expect(server.requests).toBe(2 + 3); // llm preset: open after 3 failures in a row, no 4th attempt
  });
});

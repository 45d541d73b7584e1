import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerAgentClient } from '../../src/agents/register-agent-client.js';
import { CircuitBreaker } from '../../src/core/breaker.js';
import { ManualClock } from '../../src/core/clock.js';
import { resolvePolicy } from '../../src/core/policy.js';
import { BreakerRegistry } from '../../src/registry/breaker-registry.js';
import { withFallback, type FallbackEvent } from '../../src/index.js';
import { FakeServer, json, openAiCompletion } from '../agents/fake-llm-server.js';

class HttpError extends Error {
  constructor(readonly status: number) {
    super(`status ${status}`);
  }
}

describe('withFallback', () => {
  it('answers with a value when the call fails or the circuit is open', async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({
      name: 'b',
      clock,
      policy: resolvePolicy({ failureThreshold: 1 }),
    });
    let calls = 0;
    const events: FallbackEvent[] = [];
    const guarded = withFallback(
      () =>
        breaker.execute(async () => {
          calls++;
          throw new HttpError(503);
        }),
      { fallback: 'cached answer', onFallback: (e) => events.push(e) },
    );
    expect(await guarded()).toBe('cached answer'); // failure (and it opened the circuit)
    expect(await guarded()).toBe('cached answer'); // open: rejected without a call
    expect(calls).toBe(1);
    expect(events.map((e) => (e.error as { code?: string }).code ?? 'failure')).toEqual([
      'failure',
      'ECIRCUITOPEN',
    ]);
  });

  it('a function fallback gets the error and the arguments', async () => {
    const guarded = withFallback(
      async (q: string): Promise<string> => {
        throw new HttpError(500 + q.length);
      },
      { fallback: (error, q) => `fallback for ${q} after ${(error as HttpError).status}` },
    );
    expect(await guarded('abc')).toBe('fallback for abc after 503');
  });

  it('never falls back on caller errors or caller aborts; when: open ignores plain failures', async () => {
    const bad = withFallback(
      async () => {
        throw new HttpError(400);
      },
      { fallback: 'x' },
    );
    await expect(bad()).rejects.toMatchObject({ status: 400 });
    const aborted = withFallback(
      async () => {
        throw new DOMException('aborted', 'AbortError');
      },
      { fallback: 'x' },
    );
    await expect(aborted()).rejects.toMatchObject({ name: 'AbortError' });
    const onlyOpen = withFallback(
      async () => {
        throw new HttpError(500);
      },
      { fallback: 'x', when: 'open' },
    );
    await expect(onlyOpen()).rejects.toMatchObject({ status: 500 });
  });

  it('serves the last good result while it is fresh, per key, then the fallback', async () => {
    const clock = new ManualClock();
    let fail = false;
    const guarded = withFallback(
      async (city: string) => {
        if (fail) throw new HttpError(502);
        return `${city}: sunny @${clock.now()}`;
      },
      { lastGoodTtlMs: 60_000, cacheKey: (city) => city, fallback: 'unknown', clock },
    );
    const paris = await guarded('paris');
    fail = true;
    clock.advance(30_000);
    expect(await guarded('paris')).toBe(paris);
    expect(await guarded('rome')).toBe('unknown'); // nothing cached for this key
    clock.advance(30_001);
    expect(await guarded('paris')).toBe('unknown'); // stale
  });

  it('without a fallback value, a stale or missing cache rethrows', async () => {
    const guarded = withFallback(
      async () => {
        throw new HttpError(500);
      },
      { lastGoodTtlMs: 1000 },
    );
    await expect(guarded()).rejects.toMatchObject({ status: 500 });
    expect(() => withFallback(async () => 1, {})).toThrow(TypeError);
  });
});

describe('withFallback across two registered openai clients', () => {
  let primary: FakeServer;
  let secondary: FakeServer;
  beforeEach(async () => {
    primary = await new FakeServer(json(500, { error: { type: 'server_error' } })).start();
    secondary = await new FakeServer(
      json(200, { ...openAiCompletion, id: 'from-secondary' }),
    ).start();
  });
  afterEach(async () => {
    await primary.close();
    await secondary.close();
  });

  it('goes to the second provider while the first one’s circuit is open', async () => {
    const clock = new ManualClock();
    const registry = new BreakerRegistry({ clock, random: () => 0 });
    const wrap = (name: string, server: FakeServer) =>
      registerAgentClient(
        name,
        new OpenAI({ apiKey: 'k', baseURL: `${server.url}/v1`, maxRetries: 0 }),
        {
          registry,
          clock,
        },
      );
    const first = wrap('primary', primary);
    const second = wrap('secondary', secondary);
    const request = { model: 'gpt-test', messages: [{ role: 'user' as const, content: 'hi' }] };
    const ask = withFallback(() => first.chat.completions.create(request), {
      fallback: () => second.chat.completions.create(request),
    });
    for (let i = 0; i < 5; i++) expect((await ask()).id).toBe('from-secondary');
    expect(primary.requests).toBe(3); // opened after 3 failures; the next 2 never reached it
    expect(secondary.requests).toBe(5);
    expect(registry.get('agent:primary').currentState).toBe('open');
  });
});

import { describe, expect, it } from 'vitest';
import { agentBreakerOf, registerAgentClient } from '../../src/agents/register-agent-client.js';
import { ManualClock } from '../../src/core/clock.js';
import { CircuitOpenError } from '../../src/core/errors.js';
import { resolvePolicy } from '../../src/core/policy.js';
import { BreakerRegistry } from '../../src/registry/breaker-registry.js';

class HttpError extends Error {
  constructor(readonly status: number) {
    super(`status ${status}`);
  }
}

/** A stand-in SDK: private fields, getters, sync helpers, nested resources, promises and streams. */
class Completions {
  #client: FakeClient;
  constructor(client: FakeClient) {
    this.#client = client;
  }
  create(input: string): Promise<string> {
    return this.#client.send(input);
  }
  async *streamChunks(parts: string[], failAt = -1): AsyncGenerator<string> {
    for (let i = 0; i < parts.length; i++) {
      this.#client.entered++;
      if (i === failAt) throw new HttpError(503);
      yield parts[i] as string;
    }
  }
}

class FakeClient {
  #apiKey = 'secret';
  entered = 0;
  next: () => Promise<string> = () => Promise.resolve('ok');
  readonly chat = { completions: new Completions(this) };
  readonly tags = ['a', 'b'];
  readonly created = new Date(0);
  get keyLength(): number {
    return this.#apiKey.length;
  }
  withOptions(): FakeClient {
    return new FakeClient();
  }
  describe(): string {
    return `client with ${this.#apiKey.length}-char key`;
  }
  send(input: string): Promise<string> {
    this.entered++;
    void input;
    return this.next();
  }
}

function setup(options: Parameters<typeof registerAgentClient>[2] = {}) {
  const clock = new ManualClock();
  const registry = new BreakerRegistry({ clock, random: () => 0 });
  const client = new FakeClient();
  const wrapped = registerAgentClient('fake', client, { registry, clock, ...options });
  return { clock, client, wrapped, breaker: registry.get('agent:fake') };
}

async function drain(iterable: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const x of iterable) out.push(x);
  return out;
}

describe('registerAgentClient proxy', () => {
  it('preserves this, private fields, getters and identity; does not mutate the client', async () => {
    const { client, wrapped, breaker } = setup();
    const keysBefore = Object.keys(client);
    expect(await wrapped.chat.completions.create('hi')).toBe('ok');
    expect(wrapped.keyLength).toBe(6);
    expect(wrapped.chat).toBe(wrapped.chat);
    expect(wrapped.chat.completions.create).toBe(wrapped.chat.completions.create);
    expect(wrapped.tags).toBe(client.tags); // built-ins pass through unwrapped
    expect(wrapped.created.getTime()).toBe(0);
    expect(wrapped).toBeInstanceOf(FakeClient);
    expect(Object.keys(client)).toEqual(keysBefore);
    expect(client.chat.completions.create).toBe(Completions.prototype.create);
    expect(agentBreakerOf(wrapped)).toBe(breaker);
    expect(agentBreakerOf(client)).toBeUndefined();
    // A method pulled off the object still runs on the real target.
    const { create } = wrapped.chat.completions;
    expect(await create('hi')).toBe('ok');
  });

  it('synchronous helpers pass through and are not counted, also while open', async () => {
    const { wrapped, breaker } = setup();
    expect(wrapped.describe()).toBe('client with 6-char key'); // guessed a call, learned a helper
    expect(wrapped.withOptions()).toBeInstanceOf(FakeClient);
    breaker.forceOpen();
    expect(wrapped.describe()).toBe('client with 6-char key');
    expect(wrapped.withOptions()).toBeInstanceOf(FakeClient);
    expect(breaker.counters.successes + breaker.counters.failures).toBe(0);
  });

  it('while open, rejects without entering the SDK; the protect option declares helpers', async () => {
    const { client, wrapped, breaker } = setup({
      protect: (path) => (path.at(-1) === 'describe' ? false : undefined),
    });
    breaker.forceOpen();
    await expect(wrapped.chat.completions.create('x')).rejects.toBeInstanceOf(CircuitOpenError);
    await expect(drain(wrapped.chat.completions.streamChunks(['a']))).rejects.toBeInstanceOf(
      CircuitOpenError,
    );
    expect(wrapped.describe()).toContain('6-char'); // never called before, declared a helper
    expect(client.entered).toBe(0);
  });

  it('a failing async generator counts a failure at the point it fails; breaking early is a success', async () => {
    const { wrapped, breaker } = setup();
    await expect(
      drain(wrapped.chat.completions.streamChunks(['a', 'b', 'c'], 1)),
    ).rejects.toBeInstanceOf(HttpError);
    expect(breaker.counters).toMatchObject({ failures: 1, successes: 0 });
    for await (const part of wrapped.chat.completions.streamChunks(['a', 'b'])) {
      expect(part).toBe('a');
      break;
    }
    expect(breaker.counters.successes).toBe(1);
  });

  it('a half-open probe that is a stream holds its permit until the stream ends', async () => {
    const { clock, client, wrapped, breaker } = setup();
    client.next = () => Promise.reject(new HttpError(500));
    for (let i = 0; i < 3; i++)
      await expect(wrapped.chat.completions.create('x')).rejects.toBeInstanceOf(HttpError);
    expect(breaker.currentState).toBe('open');
    clock.advance(60_000);
    const probe = wrapped.chat.completions.streamChunks(['a', 'b']);
    expect(breaker.currentState).toBe('half_open');
    // The only probe permit is taken: other calls are rejected meanwhile.
    await expect(wrapped.chat.completions.create('y')).rejects.toBeInstanceOf(CircuitOpenError);
    expect(await drain(probe)).toEqual(['a', 'b']);
    expect(breaker.currentState).toBe('closed');
  });

  it('a call thrown synchronously (bad arguments) is ignored, and errors go through classify', async () => {
    const { wrapped, breaker, client } = setup({
      classify: (e) => (e instanceof HttpError && e.status === 418 ? 'ignored' : undefined),
    });
    client.send = () => {
      throw new TypeError('missing argument');
    };
    expect(() => wrapped.chat.completions.create('x')).toThrow(TypeError);
    expect(breaker.counters.ignored).toBe(1);
    client.send = () => Promise.reject(new HttpError(418));
    await expect(wrapped.chat.completions.create('x')).rejects.toBeInstanceOf(HttpError);
    expect(breaker.counters).toMatchObject({ ignored: 2, failures: 0 });
  });

  it('settings pick the preset and thresholds; observe mode lets calls through', async () => {
    const { wrapped, breaker, client } = setup({
      settings: { preset: 'strict', failureThreshold: 1, mode: 'observe' },
    });
    expect(breaker.policy).toMatchObject({
      failureThreshold: 1,
      mode: 'observe',
      openSeconds: 60,
      halfOpenMaxCalls: 1,
    });
    client.next = () => Promise.reject(new HttpError(500));
    await expect(wrapped.chat.completions.create('x')).rejects.toBeInstanceOf(HttpError);
    expect(breaker.currentState).toBe('open');
    await expect(wrapped.chat.completions.create('x')).rejects.toBeInstanceOf(HttpError); // not CircuitOpenError
    expect(breaker.counters.shadowRejections).toBe(1);
  });

  it('takes a resolved config rule (policy, failure statuses, quota open time)', async () => {
    const rule = {
      name: 'agent:fake',
      policy: resolvePolicy({ preset: 'strict', maxOpenSeconds: 7200, quotaOpenSeconds: 1800 }),
      rejectWith: 'error' as const,
      isFailureStatus: (status: number) => status === 404,
      quotaOpenSeconds: 1800,
    };
    const { wrapped, breaker, client } = setup({ rule });
    expect(breaker.policy.maxOpenSeconds).toBe(7200);
    client.next = () => Promise.reject(new HttpError(500));
    await expect(wrapped.chat.completions.create('x')).rejects.toBeInstanceOf(HttpError);
    expect(breaker.counters).toMatchObject({ successes: 1, failures: 0 }); // 500 is not in this rule's list
    client.next = () => Promise.reject(new HttpError(402));
    await expect(wrapped.chat.completions.create('x')).rejects.toBeInstanceOf(HttpError);
    expect(breaker.lastFailureKind).toBe('quota');
    expect(breaker.retryAfterMs()).toBe(1_800_000);
  });
});

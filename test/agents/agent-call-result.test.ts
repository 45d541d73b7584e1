import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { AgentCall } from '../../src/agents/agent-call.js';
import { trackCallResult } from '../../src/agents/agent-call-result.js';
import { ManualClock } from '../../src/core/clock.js';
import type { FailureDetail, Permit } from '../../src/core/permit.js';

type Settlement =
  | { readonly outcome: 'success'; readonly durationMs: number }
  | { readonly outcome: 'failure'; readonly error: unknown; readonly durationMs: number }
  | { readonly outcome: 'ignored' };

/** A permit that writes down how the call settled (AgentCall settles it at most once). */
class RecordingPermit implements Permit {
  readonly settled: Settlement[] = [];
  recordSuccess(durationMs = 0): void {
    this.settled.push({ outcome: 'success', durationMs });
  }
  recordFailure(error?: unknown, detail?: number | FailureDetail): void {
    const durationMs = typeof detail === 'number' ? detail : (detail?.durationMs ?? 0);
    this.settled.push({ outcome: 'failure', error, durationMs });
  }
  recordIgnored(): void {
    this.settled.push({ outcome: 'ignored' });
  }
}

function newCall(): { call: AgentCall; permit: RecordingPermit; clock: ManualClock } {
  const clock = new ManualClock();
  const permit = new RecordingPermit();
  const call = new AgentCall(permit, clock, () => ({ outcome: 'failure', kind: 'error' }));
  return { call, permit, clock };
}

function deferred<T>(): {
  promise: Promise<T>;
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
} {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

async function* chunks(n: number, failAt?: number): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) {
    if (i === failAt) throw new Error('stream broke');
    yield i;
  }
}

describe('trackCallResult: values and plain promises', () => {
  it('a plain value is a synchronous helper: handed back as is, nothing settled', () => {
    const { call, permit } = newCall();
    const value = { url: 'https://api.example/' };
    expect(trackCallResult(value, call)).toEqual({ kind: 'sync', value });
    expect(trackCallResult(value, call).value).toBe(value);
    expect(permit.settled).toEqual([]);
  });

  it('a promise settles the call as a success when it resolves, timed to its resolution', async () => {
    const { call, permit, clock } = newCall();
    const reply = deferred<string>();
    const tracked = trackCallResult(reply.promise, call);
    expect(tracked.kind).toBe('promise');
    clock.advance(250);
    reply.resolve('done');
    await expect(tracked.value).resolves.toBe('done');
    expect(permit.settled).toEqual([{ outcome: 'success', durationMs: 250 }]);
  });

  it('a rejected promise fails the call and the caller still sees the error', async () => {
    const { call, permit, clock } = newCall();
    const error = new Error('500 from provider');
    const reply = deferred<string>();
    const tracked = trackCallResult(reply.promise, call);
    clock.advance(40);
    reply.reject(error);
    await expect(tracked.value).rejects.toBe(error);
    expect(permit.settled).toEqual([{ outcome: 'failure', error, durationMs: 40 }]);
  });
});

/** An SDK APIPromise: parses the body only when `then` is called; keeps its client private. */
class FakeApiPromise implements PromiseLike<string> {
  #client = 'private client';
  parsed = 0;
  constructor(private readonly body: Promise<string>) {}
  then<A = string, B = never>(
    onFulfilled?: ((v: string) => A | PromiseLike<A>) | null,
    onRejected?: ((e: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    this.parsed++;
    return this.body.then(onFulfilled, onRejected);
  }
  asResponse(): Promise<{ status: number }> {
    return Promise.resolve({ status: 200 });
  }
  withResponse(): Promise<{ data: string; response: { status: number } }> {
    return this.body.then((data) => ({ data, response: { status: 200 } }));
  }
  client(): string {
    return this.#client;
  }
}

describe('trackCallResult: SDK APIPromise', () => {
  it('comes back as a proxy that parses nothing until awaited, then settles', async () => {
    const { call, permit } = newCall();
    const api = new FakeApiPromise(Promise.resolve('{"ok":true}'));
    const tracked = trackCallResult(api, call);
    expect(tracked.kind).toBe('api-promise');
    const proxy = tracked.value as FakeApiPromise;
    expect(proxy.client()).toBe('private client'); // own methods see the real object
    await Promise.resolve();
    expect(api.parsed).toBe(0);
    expect(permit.settled).toEqual([]);
    expect(await proxy).toBe('{"ok":true}');
    expect(await proxy).toBe('{"ok":true}'); // awaited twice: parsed and settled once
    expect(api.parsed).toBe(1);
    expect(permit.settled).toEqual([{ outcome: 'success', durationMs: 0 }]);
  });

  it('withResponse() returns the response and the tracked data', async () => {
    const { call, permit } = newCall();
    const proxy = trackCallResult(new FakeApiPromise(Promise.resolve('body')), call)
      .value as FakeApiPromise;
    await expect(proxy.withResponse()).resolves.toEqual({
      data: 'body',
      response: { status: 200 },
    });
    expect(permit.settled).toEqual([{ outcome: 'success', durationMs: 0 }]);
  });

  it('asResponse() settles on the response and leaves the body unread', async () => {
    const { call, permit } = newCall();
    const api = new FakeApiPromise(Promise.resolve('body'));
    const proxy = trackCallResult(api, call).value as FakeApiPromise;
    await expect(proxy.asResponse()).resolves.toEqual({ status: 200 });
    expect(api.parsed).toBe(0);
    expect(permit.settled).toEqual([{ outcome: 'success', durationMs: 0 }]);
  });

  it('catch() on a failing call fails it once', async () => {
    const { call, permit } = newCall();
    const error = new Error('429');
    const proxy = trackCallResult(new FakeApiPromise(Promise.reject(error)), call)
      .value as unknown as Promise<string>;
    await expect(proxy.catch((e: unknown) => e)).resolves.toBe(error);
    expect(permit.settled).toEqual([{ outcome: 'failure', error, durationMs: 0 }]);
  });
});

describe('trackCallResult: async iterables', () => {
  it('a stream settles when iterated to its end, timed to its first chunk', async () => {
    const { call, permit, clock } = newCall();
    const tracked = trackCallResult(chunks(3), call);
    expect(tracked.kind).toBe('stream');
    clock.advance(30);
    const seen: number[] = [];
    for await (const n of tracked.value as AsyncIterable<number>) {
      seen.push(n);
      expect(permit.settled).toEqual([]);
      clock.advance(1_000); // a long stream is not a slow call
    }
    expect(seen).toEqual([0, 1, 2]);
    expect(permit.settled).toEqual([{ outcome: 'success', durationMs: 30 }]);
  });

  it('an error in the middle of a stream fails the call', async () => {
    const { call, permit } = newCall();
    const seen: number[] = [];
    await expect(async () => {
      for await (const n of trackCallResult(chunks(5, 2), call).value as AsyncIterable<number>)
        seen.push(n);
    }).rejects.toThrow('stream broke');
    expect(seen).toEqual([0, 1]);
    expect(permit.settled).toEqual([
      { outcome: 'failure', error: new Error('stream broke'), durationMs: 0 },
    ]);
  });

  it('a consumer that stops early succeeded with what arrived', async () => {
    const { call, permit } = newCall();
    for await (const n of trackCallResult(chunks(5), call).value as AsyncIterable<number>) {
      if (n === 1) break;
    }
    expect(permit.settled).toEqual([{ outcome: 'success', durationMs: 0 }]);
  });

  it('a stream whose controller the caller aborted is ignored, not a success', async () => {
    const { call, permit } = newCall();
    const controller = new AbortController();
    const stream = Object.assign(chunks(2), { controller });
    const iterator = (trackCallResult(stream, call).value as AsyncGenerator<number>)[
      Symbol.asyncIterator
    ]();
    await iterator.next();
    controller.abort();
    await iterator.next();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    expect(permit.settled).toEqual([{ outcome: 'ignored' }]);
  });

  it('an async generator driven by hand through next() settles at its end', async () => {
    const { call, permit } = newCall();
    const gen = trackCallResult(chunks(1), call).value as AsyncGenerator<number>;
    expect(await gen.next()).toEqual({ done: false, value: 0 });
    expect(permit.settled).toEqual([]);
    expect(await gen.next()).toEqual({ done: true, value: undefined });
    expect(permit.settled).toEqual([{ outcome: 'success', durationMs: 0 }]);
  });

  it('a promise of a stream settles at the end of the stream, not when it resolves', async () => {
    const { call, permit, clock } = newCall();
    const reply = deferred<AsyncIterable<number>>();
    const tracked = trackCallResult(reply.promise, call);
    expect(tracked.kind).toBe('promise');
    clock.advance(75);
    reply.resolve(chunks(2));
    const stream = (await tracked.value) as AsyncIterable<number>;
    expect(permit.settled).toEqual([]);
    clock.advance(500);
    const seen: number[] = [];
    for await (const n of stream) seen.push(n);
    expect(seen).toEqual([0, 1]);
    expect(permit.settled).toEqual([{ outcome: 'success', durationMs: 75 }]);
  });
});

/** An SDK event stream (`messages.stream()`): events, `done()`, and `errored`/`aborted` flags. */
class FakeEventStream extends EventEmitter {
  errored = false;
  aborted = false;
  constructor(private readonly outcome: Promise<void> = Promise.resolve()) {
    super();
  }
  done(): Promise<void> {
    return this.outcome;
  }
}

describe('trackCallResult: SDK event streams', () => {
  it('comes back untouched and settles on `end`, timed to `connect`', () => {
    const { call, permit, clock } = newCall();
    const stream = new FakeEventStream();
    const tracked = trackCallResult(stream, call);
    expect(tracked).toEqual({ kind: 'stream', value: stream });
    expect(tracked.value).toBe(stream);
    clock.advance(20);
    stream.emit('connect');
    clock.advance(5_000);
    expect(permit.settled).toEqual([]);
    stream.emit('end');
    expect(permit.settled).toEqual([{ outcome: 'success', durationMs: 20 }]);
  });

  it('an errored stream fails with the error its done() rejects with', async () => {
    const { call, permit } = newCall();
    const error = new Error('overloaded');
    const outcome = Promise.reject(error);
    outcome.catch(() => {});
    const stream = new FakeEventStream(outcome);
    trackCallResult(stream, call);
    stream.errored = true;
    stream.emit('end');
    await outcome.catch(() => {});
    await Promise.resolve();
    expect(permit.settled).toEqual([{ outcome: 'failure', error, durationMs: 0 }]);
  });

  it('an aborted stream is ignored', () => {
    const { call, permit } = newCall();
    const stream = new FakeEventStream();
    trackCallResult(stream, call);
    stream.aborted = true;
    stream.emit('end');
    expect(permit.settled).toEqual([{ outcome: 'ignored' }]);
  });
});

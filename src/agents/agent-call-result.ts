import type { AgentCall } from './agent-call.js';
import type { MethodKind } from './method-kind.js';

/**
 * Hooks an AgentCall's outcome onto what an SDK method returned, and hands back something the caller
 * uses exactly like the original:
 *
 * - an SDK `APIPromise` comes back as a proxy of itself: awaiting it, `.withResponse()` and
 *   `.asResponse()` work as before and settle the call (lazily, as the SDK parses lazily: a body
 *   read with `asResponse()` stays unread);
 * - a plain promise comes back as a promise of the same value;
 * - a resolved value, or a returned object, that is an async iterable (openai/Anthropic `Stream`,
 *   an A2A async generator) comes back as a proxy whose iteration settles the call at its end;
 * - an SDK event stream (`messages.stream()`, `chat.completions.stream()`) comes back untouched;
 *   the call settles on its `end` event.
 */
export function trackCallResult(
  result: unknown,
  call: AgentCall,
): { kind: MethodKind; value: unknown } {
  if (isThenable(result)) {
    if (isApiPromise(result)) return { kind: 'api-promise', value: trackApiPromise(result, call) };
    return { kind: 'promise', value: trackPromise(result, call) };
  }
  if (isEventStream(result)) {
    trackEventStream(result, call);
    return { kind: 'stream', value: result };
  }
  if (isAsyncIterable(result)) return { kind: 'stream', value: trackAsyncIterable(result, call) };
  return { kind: 'sync', value: result };
}

type Thenable = PromiseLike<unknown>;

interface ApiPromiseLike extends Thenable {
  withResponse?: () => Promise<{ data: unknown }>;
  asResponse?: () => Promise<unknown>;
}

/** What an SDK event stream (openai `EventStream`, Anthropic `MessageStream`) offers. */
interface EventStreamLike {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  done(): Promise<void>;
  readonly errored: boolean;
  readonly aborted: boolean;
}

function isThenable(value: unknown): value is Thenable {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

function isApiPromise(value: Thenable): value is ApiPromiseLike {
  const v = value as ApiPromiseLike;
  return typeof v.withResponse === 'function' || typeof v.asResponse === 'function';
}

function isEventStream(value: unknown): value is EventStreamLike {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<EventStreamLike>;
  return (
    typeof v.on === 'function' && typeof v.done === 'function' && 'errored' in v && 'aborted' in v
  );
}

export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> & object {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function'
  );
}

/** A resolved value: a stream settles when iterated to its end, anything else settles now. */
function settleValue(value: unknown, call: AgentCall): unknown {
  call.markFirstByte();
  if (isEventStream(value)) {
    trackEventStream(value, call);
    return value;
  }
  if (isAsyncIterable(value)) return trackAsyncIterable(value, call);
  call.succeed();
  return value;
}

function trackPromise(promise: Thenable, call: AgentCall): Promise<unknown> {
  return Promise.resolve(promise).then(
    (value) => settleValue(value, call),
    (error: unknown) => {
      call.fail(error);
      throw error;
    },
  );
}

function trackApiPromise<P extends ApiPromiseLike>(promise: P, call: AgentCall): P {
  let tracked: Promise<unknown> | undefined;
  // `then` on an APIPromise parses the body; start that only when the caller asks for the data.
  const track = (): Promise<unknown> => (tracked ??= trackPromise(promise, call));
  return new Proxy(promise, {
    get(target, prop) {
      switch (prop) {
        case 'then':
          return (onFulfilled?: (v: unknown) => unknown, onRejected?: (e: unknown) => unknown) =>
            track().then(onFulfilled, onRejected);
        case 'catch':
          return (onRejected?: (e: unknown) => unknown) => track().catch(onRejected);
        case 'finally':
          return (onFinally?: () => void) => track().finally(onFinally);
        case 'withResponse':
          if (typeof target.withResponse !== 'function') break;
          return async () => {
            const [data, withResponse] = await Promise.all([track(), target.withResponse!()]);
            return { ...withResponse, data };
          };
        case 'asResponse':
          if (typeof target.asResponse !== 'function') break;
          return () =>
            target.asResponse!().then(
              (response) => {
                call.markFirstByte();
                call.succeed();
                return response;
              },
              (error: unknown) => {
                call.fail(error);
                throw error;
              },
            );
      }
      const value: unknown = Reflect.get(target, prop, target);
      // APIPromise keeps its client in a private field: its own methods must see the real object.
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}

function trackEventStream(stream: EventStreamLike, call: AgentCall): void {
  stream.on('connect', () => call.markFirstByte());
  // Listening to 'error' would count as handling it and silence the SDK's unhandled-rejection
  // report for callers who attached no handler; 'end' also follows an error or an abort.
  stream.on('end', () => {
    if (stream.aborted) call.ignore();
    else if (stream.errored)
      stream.done().then(
        () => call.succeed(),
        (error: unknown) => call.fail(error),
      );
    else call.succeed();
  });
}

function trackAsyncIterable<T extends AsyncIterable<unknown> & object>(
  iterable: T,
  call: AgentCall,
): T {
  const finish = (): void => {
    // openai/Anthropic `Stream`s end quietly when their controller is aborted by the caller.
    const signal = (iterable as { controller?: { signal?: AbortSignal } }).controller?.signal;
    if (signal?.aborted === true) call.ignore();
    else call.succeed();
  };
  let self: AsyncIterator<unknown> | undefined;
  return new Proxy(iterable, {
    get(target, prop) {
      if (prop === Symbol.asyncIterator) {
        return () => wrapIterator(target[Symbol.asyncIterator](), call, finish);
      }
      // An async generator is its own iterator; callers may drive next() by hand.
      if ((prop === 'next' || prop === 'return' || prop === 'throw') && isIterator(target)) {
        self ??= wrapIterator(target, call, finish);
        return (self as unknown as Record<string, unknown>)[prop];
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}

function isIterator(value: object): value is AsyncIterator<unknown> {
  return typeof (value as { next?: unknown }).next === 'function';
}

function wrapIterator(
  iterator: AsyncIterator<unknown>,
  call: AgentCall,
  finish: () => void,
): AsyncIterableIterator<unknown> {
  const observe = (step: Promise<IteratorResult<unknown>>): Promise<IteratorResult<unknown>> =>
    step.then(
      (result) => {
        call.markFirstByte();
        if (result.done === true) finish();
        return result;
      },
      (error: unknown) => {
        call.fail(error);
        throw error;
      },
    );
  const wrapped: AsyncIterableIterator<unknown> = {
    next: (...args: [] | [unknown]) => observe(Promise.resolve(iterator.next(...args))),
    [Symbol.asyncIterator]() {
      return wrapped;
    },
  };
  if (typeof iterator.return === 'function') {
    // The consumer stopped early (`break`): what arrived so far was good, so the call succeeded.
    wrapped.return = (value?: unknown) => {
      finish();
      return Promise.resolve(iterator.return!(value));
    };
  }
  if (typeof iterator.throw === 'function') {
    wrapped.throw = (error?: unknown) => {
      call.ignore();
      return Promise.resolve(iterator.throw!(error));
    };
  }
  return wrapped;
}

/**
 * Which methods of a wrapped SDK client are calls to protect.
 *
 * The breaker must decide before calling: while the circuit is open, an SDK call must reject
 * without entering the SDK at all. But SDK methods do not announce themselves: openai and Anthropic
 * resource methods (`chat.completions.create`, `messages.stream`) are plain functions that return
 * an `APIPromise` or a stream object, indistinguishable from synchronous helpers such as
 * `client.withOptions()` or `client.buildURL()` until they have run. The rule, in order:
 *
 * 1. the user's `protect(path)` answer, when it gives one;
 * 2. what the method returned last time (learned per function object on every admitted call:
 *    a promise, an async iterable or an SDK stream object makes it a call; anything else a helper);
 * 3. `async function` and `async function*` are calls;
 * 4. names the SDKs use for synchronous helpers (below) and `_`-prefixed internals are helpers;
 *    `stream`, `runTools` and names ending in `Stream` return a stream object synchronously
 *    (`messages.stream()`, `chat.completions.stream()`, `createAndStream()`);
 * 5. anything else is a call — an SDK client exists to make calls, and a wrong guess is corrected
 *    by rule 2 on the first call made while the circuit admits calls.
 *
 * A method guessed to be a call but returning a plain value is passed through uncounted from then
 * on. So a closed circuit never miscounts; only a helper first called while the circuit is open,
 * not in the list below and not declared through `protect`, would be rejected by mistake.
 */

/** What a method returns, as far as the breaker cares. */
export type MethodKind =
  /** Synchronous helper: passes through, never counted. */
  | 'sync'
  /** Returns a promise (plain). */
  | 'promise'
  /** Returns an SDK APIPromise (`withResponse()`, `asResponse()`). */
  | 'api-promise'
  /** An async generator function: calling it runs nothing until iterated. */
  | 'async-generator'
  /** Returns a stream object or async iterable synchronously (e.g. `messages.stream()`). */
  | 'stream';

/** Names the supported SDKs use for synchronous helpers, on clients and on the objects they return. */
const SYNC_HELPER_NAMES = new Set([
  'constructor',
  'withOptions',
  'buildURL',
  'buildRequest',
  'buildHeaders',
  'buildBody',
  'defaultQuery',
  'defaultHeaders',
  'defaultIdempotencyKey',
  'validateHeaders',
  'authHeaders',
  'bearerAuth',
  'apiKeyAuth',
  'adminAPIKeyAuth',
  'stringifyQuery',
  'getUserAgent',
  'makeStatusError',
  'calculateDefaultRetryTimeoutMillis',
  'calculateNonstreamingTimeout',
  'shouldRetry',
  'prepareOptions',
  'toString',
  'toJSON',
  'toLocaleString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'on',
  'off',
  'once',
  'emit',
  'addListener',
  'removeListener',
  'removeAllListeners',
  'listeners',
  'listenerCount',
  'addEventListener',
  'removeEventListener',
]);

const AsyncFunctionProto = Object.getPrototypeOf(async function () {}) as object;
const AsyncGeneratorFunctionProto = Object.getPrototypeOf(async function* () {}) as object;

/** Kinds learned from results, per function object (SDK methods live on prototypes, so this stays small). */
const learned = new WeakMap<object, MethodKind>();

export function learnedKind(fn: object): MethodKind | undefined {
  return learned.get(fn);
}

export function learnKind(fn: object, kind: MethodKind): void {
  learned.set(fn, kind);
}

/** The statically known kind of `fn` (rules 3 and 4), or undefined when only a call will tell. */
export function declaredKind(name: string, fn: object): MethodKind | undefined {
  const proto = Object.getPrototypeOf(fn) as object | null;
  if (proto === AsyncGeneratorFunctionProto) return 'async-generator';
  if (proto === AsyncFunctionProto) return 'promise';
  if (name.startsWith('_') || SYNC_HELPER_NAMES.has(name)) return 'sync';
  if (name === 'stream' || name === 'runTools' || name.endsWith('Stream')) return 'stream';
  return undefined;
}

/** True for a property value the proxy should wrap in its own lazily created proxy. */
export function isTraversable(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  if (typeof (value as { then?: unknown }).then === 'function') return false;
  for (
    let proto = Object.getPrototypeOf(value) as object | null;
    proto !== null;
    proto = Object.getPrototypeOf(proto)
  ) {
    if (builtInPrototypes().has(proto)) return false;
  }
  return true;
}

// Built-ins hold internal slots or are data, not SDK namespaces: never proxy them. Built on first
// use: reading `globalThis.Headers` (or Request, Response, ReadableStream) makes Node load its
// bundled fetch, ~2 MB of heap that an app which never calls fetch would otherwise carry for us.
let builtIns: Set<object> | undefined;
function builtInPrototypes(): Set<object> {
  return (builtIns ??= collectBuiltInPrototypes());
}

function collectBuiltInPrototypes(): Set<object> {
  return new Set<object>(
    [
      Array.prototype,
      Map.prototype,
      Set.prototype,
      WeakMap.prototype,
      WeakSet.prototype,
      Date.prototype,
      RegExp.prototype,
      Error.prototype,
      Promise.prototype,
      ArrayBuffer.prototype,
      Object.getPrototypeOf(Uint8Array.prototype) as object,
      DataView.prototype,
      globalThis.EventTarget?.prototype,
      globalThis.URL?.prototype,
      globalThis.URLSearchParams?.prototype,
      globalThis.Headers?.prototype,
      globalThis.Request?.prototype,
      globalThis.Response?.prototype,
      globalThis.ReadableStream?.prototype,
      globalThis.AbortController?.prototype,
    ].filter((p): p is object => p !== undefined),
  );
}

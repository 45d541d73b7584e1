/**
 * The two handler APIs undici speaks (see docs/design/undici-hook.md): the old one (undici 6 and 7
 * internals, `onConnect`/`onHeaders`/...) and the new one (undici 8 internals, and what new-API
 * interceptors use on 7: `onRequestStart`/`onResponseStart`/...). Typed loosely on purpose: these
 * are other libraries' objects and any method may be missing.
 */

export type AbortFn = (reason?: unknown) => void;
export type RawHeaders = Buffer[];
export type HeaderRecord = Record<string, string | string[]>;

/** The new API's request controller (undici 8 `RequestController`, undici 7 `UnwrapController`). */
export interface DispatchController {
  abort(reason?: unknown): void;
  pause(): void;
  resume(): void;
  readonly aborted: boolean;
  readonly paused: boolean;
  readonly reason: unknown;
  rawHeaders?: RawHeaders | null;
  rawTrailers?: RawHeaders | null;
}

export interface LegacyHandler {
  onConnect?(abort: AbortFn, context?: unknown): void;
  onHeaders?(status: number, raw: RawHeaders, resume: () => void, statusText: string): boolean;
  onData?(chunk: Buffer): boolean;
  onComplete?(trailers: RawHeaders | null): void;
  onError?(error: unknown): void;
  onUpgrade?(status: number, raw: RawHeaders, socket: unknown): void;
}

export interface NewApiHandler {
  onRequestStart?(controller: DispatchController, context: unknown): void;
  onResponseStart?(
    controller: DispatchController,
    status: number,
    headers: HeaderRecord,
    statusText: string,
  ): void;
  onResponseData?(controller: DispatchController, chunk: Buffer): void;
  onResponseEnd?(controller: DispatchController, trailers: HeaderRecord): void;
  onResponseError?(controller: DispatchController | null, error: unknown): void;
  onRequestUpgrade?(
    controller: DispatchController,
    status: number,
    headers: HeaderRecord,
    socket: unknown,
  ): void;
}

/** Optional callbacks both APIs share. */
export interface CommonHandler {
  onBodySent?(chunk: unknown): unknown;
  onRequestSent?(): unknown;
  onResponseStarted?(): unknown;
}

/** Set (on the prototype) only by our own observers: see `kOurHandler`. */
export interface OurMark {
  readonly [kOurHandler]?: true;
}

export type DispatchHandler = LegacyHandler & NewApiHandler & CommonHandler & OurMark;

export interface DispatchOptions {
  origin?: string | { readonly origin?: unknown } | null;
  [kDecidedRequest]?: true;
  path?: string;
  method?: string;
  upgrade?: unknown;
}

export type DispatchFn = (
  this: object,
  opts: DispatchOptions | null | undefined,
  handler: DispatchHandler | null | undefined,
) => boolean;

/**
 * Which handler API a DispatcherBase speaks: `legacy` only the old one (undici 6), `unwrap` the old
 * one internally but new-API handlers wrapped in its own UnwrapHandler (undici 7), `v2` only the
 * new one (undici 8).
 */
export type HandlerFamily = 'legacy' | 'unwrap' | 'v2';

/** A patched DispatcherBase's own `dispatch` and the handler API it speaks (one per prototype). */
export interface OriginalDispatch {
  readonly dispatch: DispatchFn;
  readonly family: HandlerFamily;
}

/** Marks our own wrapper, so nested Agent -> Pool -> Client dispatches decide once. */
export const kOurHandler: unique symbol = Symbol('otel-circuit-breaker.handler');

/**
 * Set on the options a circuit-breaker interceptor passes on once it decided a request. Interceptors
 * below it (retry, redirect, dns, cache) copy options with a spread, which keeps it: a patched
 * dispatcher further down lets the request through undecided, whatever handler now carries it.
 */
export const kDecidedRequest: unique symbol = Symbol('otel-circuit-breaker.decided-request');

export function isNewApiHandler(handler: DispatchHandler): boolean {
  return typeof handler.onRequestStart === 'function';
}

/** Whether a dispatcher of `family` talks to `handler` through the new API. */
export function speaksNewApi(family: HandlerFamily, handler: DispatchHandler): boolean {
  return family === 'v2' || (family === 'unwrap' && isNewApiHandler(handler));
}

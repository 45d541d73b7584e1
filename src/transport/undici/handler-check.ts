import type { DispatchHandler, DispatchOptions, HandlerFamily } from './handler-types.js';

/**
 * Whether undici would accept `handler` for `opts`: the checks each major's `Request` constructor
 * makes (6: `validateHandler`, 7 and 8: `assertRequestHandler`), plus undici 7's UnwrapHandler,
 * which needs `onResponseError`. A handler undici refuses is never wrapped: our wrapper would have
 * every method and turn the caller's bug into a request that hangs, instead of undici's own
 * `InvalidArgumentError` at once.
 */
export function undiciAccepts(
  family: HandlerFamily,
  handler: DispatchHandler,
  opts: DispatchOptions,
): boolean {
  const upgrade = opts.upgrade || opts.method === 'CONNECT';
  if (family === 'v2') {
    return (
      typeof handler.onRequestStart === 'function' &&
      typeof handler.onResponseError === 'function' &&
      optionalMethod(handler.onBodySent) &&
      optionalMethod(handler.onRequestSent) &&
      (upgrade
        ? typeof handler.onRequestUpgrade === 'function'
        : typeof handler.onResponseStart === 'function' &&
          typeof handler.onResponseData === 'function' &&
          typeof handler.onResponseEnd === 'function')
    );
  }
  if (family === 'unwrap' && typeof handler.onRequestStart === 'function') {
    return typeof handler.onResponseError === 'function';
  }
  return (
    typeof handler.onConnect === 'function' &&
    typeof handler.onError === 'function' &&
    optionalMethod(handler.onBodySent) &&
    (upgrade
      ? typeof handler.onUpgrade === 'function'
      : typeof handler.onHeaders === 'function' &&
        typeof handler.onData === 'function' &&
        typeof handler.onComplete === 'function')
  );
}

function optionalMethod(method: unknown): boolean {
  return method === undefined || typeof method === 'function';
}

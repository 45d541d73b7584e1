import type { Clock } from '../../core/clock.js';
import type { Permit } from '../../core/permit.js';
import type { OriginTarget } from '../targets/origin-cache.js';
import type { DispatchHandler } from './handler-types.js';
import { LegacyObserver, NewApiObserver, type ObservedDispatch } from './observing-handlers.js';

/**
 * undici decides by their mere presence whether a handler gets the request-body callbacks
 * (`onBodySent`, `onRequestSent`): MockAgent, for one, reads an async-iterable body through them
 * only when the handler has them. So an observer has exactly the body hooks of the handler it
 * wraps: one subclass per combination, built once, chosen per request without allocating.
 */

type ObserverClass = new (
  entry: OriginTarget,
  permit: Permit,
  clock: Clock,
  handler: DispatchHandler,
) => ObservedDispatch;

function onBodySent(this: ObservedDispatch, chunk: unknown): unknown {
  return this.handler.onBodySent!(chunk);
}
function onRequestSent(this: ObservedDispatch): unknown {
  return this.handler.onRequestSent!();
}

function withBodyHooks(base: ObserverClass): readonly ObserverClass[] {
  const variants: ObserverClass[] = [base];
  for (let hooks = 1; hooks < 4; hooks++) {
    const variant = class extends base {};
    Object.defineProperty(variant, 'name', { value: base.name });
    const proto = variant.prototype as object;
    const method = { writable: true, configurable: true };
    if (hooks & 1) Object.defineProperty(proto, 'onBodySent', { ...method, value: onBodySent });
    if (hooks & 2)
      Object.defineProperty(proto, 'onRequestSent', { ...method, value: onRequestSent });
    variants.push(variant);
  }
  return variants;
}

const legacy = withBodyHooks(LegacyObserver);
const newApi = withBodyHooks(NewApiObserver);

/** An observer of `handler` with the handler's own body hooks, in the API `newApiFamily` says. */
export function observerWithBodyHooks(
  newApiFamily: boolean,
  handler: DispatchHandler,
): ObserverClass {
  const hooks =
    (typeof handler.onBodySent === 'function' ? 1 : 0) |
    (typeof handler.onRequestSent === 'function' ? 2 : 0);
  return (newApiFamily ? newApi : legacy)[hooks]!;
}

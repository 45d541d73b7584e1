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
    // The observers are distinct classes, not one type TypeScript lets a class expression extend.
    const variant = class extends (base as new (...args: never[]) => object) {} as ObserverClass;
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

/**
 * A new observer of `handler` with the handler's own body hooks, in the API `newApiFamily` says. A
 * handler without body hooks (undici's own request, stream and fetch handlers) gets the base class
 * through a `new` of a constant class, which the JIT inlines; a dynamic `new` goes through V8's
 * generic construct stub.
 */
export function newObserver(
  newApiFamily: boolean,
  handler: DispatchHandler,
  entry: OriginTarget,
  permit: Permit,
  clock: Clock,
): ObservedDispatch {
  const hooks =
    (typeof handler.onBodySent === 'function' ? 1 : 0) |
    (typeof handler.onRequestSent === 'function' ? 2 : 0);
  if (hooks === 0) {
    return newApiFamily
      ? new NewApiObserver(entry, permit, clock, handler)
      : new LegacyObserver(entry, permit, clock, handler);
  }
  return new (newApiFamily ? newApi : legacy)[hooks]!(entry, permit, clock, handler);
}

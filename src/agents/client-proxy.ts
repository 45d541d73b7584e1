import type { CircuitBreaker } from '../core/breaker.js';
import type { Clock } from '../core/clock.js';
import type { CircuitOpenError } from '../core/errors.js';
import { rejectOnLaterTurn } from '../core/later-turn.js';
import type { Classification } from '../core/outcome.js';
import { AgentCall } from './agent-call.js';
import {
  declaredKind,
  isTraversable,
  learnedKind,
  learnKind,
  type MethodKind,
} from './method-kind.js';
import { trackCallResult } from './agent-call-result.js';

/**
 * The Proxy behind `registerAgentClient`: a view of an SDK client whose async methods, at any
 * depth, run through one breaker, while everything else (fields, classes, synchronous helpers)
 * reads through unchanged.
 */

/** Says whether the method at `path` is a call to protect (true), a helper (false), or undecided. */
export type ProtectRule = (path: readonly string[]) => boolean | undefined;

/** What every protected call of one client goes through. */
export interface ProtectedViewOptions {
  readonly breaker: CircuitBreaker;
  readonly classify: (error: unknown) => Classification;
  readonly protect: ProtectRule | undefined;
  readonly clock: Clock;
}

interface ProxyContext extends ProtectedViewOptions {
  /** One proxy per wrapped object, so `client.chat === client.chat` holds on the wrapped client. */
  readonly proxies: WeakMap<object, object>;
}

/** The protected view of `client`; the client itself is not modified. */
export function protectedView(client: object, options: ProtectedViewOptions): object {
  return proxyFor(client, [], { ...options, proxies: new WeakMap() });
}

function proxyFor(target: object, path: readonly string[], context: ProxyContext): object {
  const existing = context.proxies.get(target);
  if (existing !== undefined) return existing;
  // Wrappers are made once per (object, property, function) so identity is stable across reads.
  const wrappers = new Map<string, { fn: unknown; wrapper: unknown }>();
  const proxy = new Proxy(target, {
    get(t, prop) {
      // Read with the real object as receiver: getters may touch private fields.
      const value: unknown = Reflect.get(t, prop, t);
      if (typeof prop === 'symbol' || prop.startsWith('_')) return value;
      if (typeof value !== 'function' && !isTraversable(value)) return value;
      if (isFrozenDataProperty(t, prop)) return value; // a Proxy must return these unchanged
      if (typeof value === 'function') {
        const cached = wrappers.get(prop);
        if (cached !== undefined && cached.fn === value) return cached.wrapper;
        const wrapper = isClass(value)
          ? value
          : wrapMethod(t, prop, value as AnyFunction, [...path, prop], context);
        wrappers.set(prop, { fn: value, wrapper });
        return wrapper;
      }
      return proxyFor(value as object, [...path, prop], context);
    },
    set(t, prop, value) {
      return Reflect.set(t, prop, value, t);
    },
  });
  context.proxies.set(target, proxy);
  return proxy;
}

type AnyFunction = (...args: unknown[]) => unknown;

function wrapMethod(
  target: object,
  name: string,
  fn: AnyFunction,
  path: readonly string[],
  context: ProxyContext,
): AnyFunction {
  const wrapper = function (...args: unknown[]): unknown {
    return callThrough(target, name, fn, path, args, context);
  };
  Object.defineProperty(wrapper, 'name', { value: fn.name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: fn.length, configurable: true });
  return wrapper;
}

function kindOf(
  name: string,
  fn: AnyFunction,
  path: readonly string[],
  context: ProxyContext,
): MethodKind | undefined {
  const declared = context.protect?.(path);
  if (declared === false) return 'sync';
  const learned = learnedKind(fn);
  if (learned !== undefined && (declared !== true || learned !== 'sync')) return learned;
  const known = declaredKind(name, fn);
  if (declared === true && known === 'sync') return undefined;
  return known;
}

function callThrough(
  target: object,
  name: string,
  fn: AnyFunction,
  path: readonly string[],
  args: unknown[],
  context: ProxyContext,
): unknown {
  const kind = kindOf(name, fn, path, context);
  if (kind === 'sync') return Reflect.apply(fn, target, args);
  const permit = context.breaker.canRequest();
  if (permit === null) return rejection(kind, context.breaker.rejectionError());
  const call = new AgentCall(permit, context.clock, context.classify);
  let result: unknown;
  try {
    result = Reflect.apply(fn, target, args);
  } catch (error) {
    // Thrown before any request went out (argument validation): says nothing about the provider.
    call.ignore();
    throw error;
  }
  const tracked = trackCallResult(result, call);
  if (tracked.kind === 'sync') call.ignore();
  const learned = kind === 'async-generator' ? kind : tracked.kind;
  if (learnedKind(fn) !== learned) learnKind(fn, learned);
  return tracked.value;
}

/**
 * What an open circuit hands back, shaped like what the method would have returned. Promises and
 * iterations reject on a later event-loop turn, so an app retrying without delay still lets
 * timers, I/O and signals run (see later-turn.ts).
 */
function rejection(kind: MethodKind | undefined, error: CircuitOpenError): unknown {
  switch (kind) {
    case 'stream':
      throw error;
    case 'async-generator':
      // eslint-disable-next-line require-yield -- it only has to fail on first iteration
      return (async function* rejected() {
        await rejectOnLaterTurn(error);
      })();
    case 'api-promise': {
      // `await client.x.create().withResponse()` must reject with the same error, not a TypeError.
      const rejected = rejectOnLaterTurn(error);
      return Object.assign(rejected, { withResponse: () => rejected, asResponse: () => rejected });
    }
    default:
      return rejectOnLaterTurn(error);
  }
}

function isFrozenDataProperty(target: object, prop: string): boolean {
  const descriptor = Object.getOwnPropertyDescriptor(target, prop);
  return (
    descriptor !== undefined && descriptor.configurable === false && descriptor.writable === false
  );
}

function isClass(fn: unknown): boolean {
  return typeof fn === 'function' && Function.prototype.toString.call(fn).startsWith('class');
}

import { z } from 'zod';
import { configuredAgentRule } from './agent-rules.js';
import { agentNameSchema, settingsSchema, strictObject } from '../config/schema.js';
import { clockSchema, functionSchema, objectWith, parseCodeArgs } from '../config/validate-code.js';
import type { CircuitBreaker } from '../core/breaker.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { CircuitOpenError } from '../core/errors.js';
import { rejectOnLaterTurn } from '../core/later-turn.js';
import { toClassification, type Classification, type Outcome } from '../core/outcome.js';
import type { PolicyOverrides } from '../core/policy.js';
import { breakers, type BreakerRegistry } from '../registry/breaker-registry.js';
import type { ResolvedBreakerRule } from '../config/resolved-config.js';
import type { BreakerSettings } from '../config/circuit-breaker-config.js';
import { AgentCall } from './agent-call.js';
import { classifySdkError, type SdkClassifierOptions } from './classify-sdk-error.js';
import {
  declaredKind,
  isTraversable,
  learnedKind,
  learnKind,
  type MethodKind,
} from './method-kind.js';
import { statusOf } from './sdk-error-shape.js';
import { trackResult } from './track-result.js';

/** Prefix of every agent breaker's name: `registerAgentClient('researcher', …)` uses `agent:researcher`. */
export const AGENT_BREAKER_PREFIX = 'agent:';

export interface RegisterAgentClientOptions {
  /** Registry the breaker `agent:<name>` lives in. Default: the process-wide `breakers`. */
  readonly registry?: BreakerRegistry;
  /**
   * Thresholds for this agent (preset `llm` unless `preset` says otherwise), plus `failOn`,
   * `classify` and `quotaOpenSeconds`. Like `registry.get()`, they apply when the breaker is created.
   */
  readonly settings?: BreakerSettings;
  /**
   * A validated agent rule from the config (`ResolvedConfig.agents[name]` or `agentDefaults`), as
   * the instrumentation passes it: its policy, `classify`, `quotaOpenSeconds` and failure statuses.
   * Used instead of `settings`.
   */
  readonly rule?: ResolvedBreakerRule;
  /** Decides the outcome of an error the SDK threw; return undefined for the default (`classifySdkError`). */
  readonly classify?: (error: unknown) => Classification | Outcome | undefined;
  /**
   * Says whether the method at `path` (e.g. `['chat', 'completions', 'create']`) is a call to
   * protect (true) or a helper to pass through (false); undefined keeps the default rule
   * (see method-kind.ts): needed only for a synchronous helper first called while the circuit is open.
   */
  readonly protect?: (path: readonly string[]) => boolean | undefined;
  /** Time source for call durations. Default: the system clock. */
  readonly clock?: Clock;
}

interface ProxyContext {
  readonly breaker: CircuitBreaker;
  readonly classify: (error: unknown) => Classification;
  readonly protect: RegisterAgentClientOptions['protect'];
  readonly clock: Clock;
  /** One proxy per wrapped object, so `client.chat === client.chat` holds on the wrapped client. */
  readonly proxies: WeakMap<object, object>;
}

const breakerOfClient = new WeakMap<object, CircuitBreaker>();

const agentArgs = z.object({
  name: agentNameSchema,
  client: z.custom<object>(
    (v) => (typeof v === 'object' && v !== null) || typeof v === 'function',
    { error: 'expected an SDK client (an object)' },
  ),
  options: strictObject(
    {
      registry: objectWith(['get', 'peek'], 'a BreakerRegistry').optional(),
      settings: settingsSchema.optional(),
      rule: objectWith(['isFailureStatus'], 'a ResolvedBreakerRule from the config').optional(),
      classify: functionSchema('a function (error) => outcome').optional(),
      protect: functionSchema('a function (path) => boolean | undefined').optional(),
      clock: clockSchema.optional(),
    },
    'RegisterAgentClientOptions',
  ).optional(),
});

/** Validates registerAgentClient's arguments with the config's schemas (agent names, settings). */
export function checkAgentClientArgs(name: unknown, client: unknown, options: unknown): void {
  parseCodeArgs('registerAgentClient', agentArgs, { name, client, options });
}

/**
 * Returns a protected view of an SDK client (openai, Anthropic, an A2A client, or any object whose
 * methods make remote calls): every call, however deeply nested (`client.chat.completions.create`),
 * runs through the breaker `agent:<name>`. The client itself is not modified.
 *
 * - While the circuit is open a call rejects at once with `CircuitOpenError` and the SDK is not
 *   entered (no request, no SDK retries). A method that returns a stream object synchronously
 *   (`messages.stream()`) throws it; an async generator method returns one that throws it.
 * - Results come back as the SDK made them: `APIPromise`s keep `.withResponse()`/`.asResponse()`,
 *   streams are the SDK's stream objects; a stream settles its call when it ends, so an error in the
 *   middle of a stream is a failure of that call.
 * - Methods are called on the real object (never the proxy), so SDK classes with private fields work.
 * - Synchronous helpers (`withOptions()`, `buildURL()`, getters) pass through and are not counted.
 *
 * Give the SDK `maxRetries: 0`: the breaker sees one outcome per call, and our `retry()` helper
 * retries without ever retrying into an open circuit.
 */
export function registerAgentClient<T extends object>(
  name: string,
  client: T,
  options: RegisterAgentClientOptions = {},
): T {
  checkAgentClientArgs(name, client, options);
  const settings = options.settings ?? {};
  const registry = options.registry ?? breakers;
  const breakerName = AGENT_BREAKER_PREFIX + name;
  // Without a rule or settings, follow the running auto-instrumentation's `agents:` config.
  const rule =
    options.rule ??
    (options.settings === undefined && options.registry === undefined
      ? configuredAgentRule(name)
      : undefined);
  const breaker = registry.get(
    breakerName,
    rule === undefined ? policyOverridesOf(settings) : { ...rule.policy },
  );
  const sdkOptions: SdkClassifierOptions =
    rule === undefined
      ? { quotaOpenSeconds: settings.quotaOpenSeconds, failOn: settings.failOn }
      : { quotaOpenSeconds: rule.quotaOpenSeconds, isFailureStatus: rule.isFailureStatus };
  const context: ProxyContext = {
    breaker,
    classify: buildClassifier(
      breakerName,
      rule?.classify ?? settings.classify,
      sdkOptions,
      options.classify,
    ),
    protect: options.protect,
    clock: options.clock ?? systemClock,
    proxies: new WeakMap(),
  };
  const proxy = proxyFor(client, [], context) as T;
  breakerOfClient.set(proxy, breaker);
  return proxy;
}

/** The breaker behind a client returned by `registerAgentClient`, or undefined for any other object. */
export function agentBreakerOf(client: object): CircuitBreaker | undefined {
  return breakerOfClient.get(client);
}

/** The policy fields of agent settings, on top of the `llm` preset unless another is named. */
function policyOverridesOf(settings: BreakerSettings): PolicyOverrides {
  const {
    rejectWith: _rejectWith,
    failOn: _failOn,
    classify: _classify,
    preset,
    ...policy
  } = settings;
  return { ...policy, preset: preset ?? 'llm' };
}

function buildClassifier(
  breakerName: string,
  settingsClassify: BreakerSettings['classify'],
  sdkOptions: SdkClassifierOptions,
  userClassify: RegisterAgentClientOptions['classify'],
): (error: unknown) => Classification {
  return (error) => {
    try {
      const own = userClassify?.(error);
      if (own !== undefined) return toClassification(own);
      if (settingsClassify !== undefined) {
        const status = typeof error === 'object' && error !== null ? statusOf(error) : undefined;
        const outcome = settingsClassify({ host: breakerName, status, error, durationMs: 0 });
        if (outcome !== undefined) return toClassification(outcome);
      }
    } catch {
      // A throwing user hook must not break the app's call; fall back to the default rules.
    }
    return classifySdkError(error, sdkOptions);
  };
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
  const tracked = trackResult(result, call);
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

import { configuredAgentRule } from './agent-rules.js';
import { agentBreakerName } from '../config/agent-breaker-name.js';
import { agentNameSchema, settingsSchema, strictObject } from '../config/schema.js';
import {
  argsObject,
  clockSchema,
  functionSchema,
  objectWith,
  parseCodeArgs,
} from '../config/validate-code.js';
import { custom, optional } from '../config/validator.js';
import type { CircuitBreaker } from '../core/breaker.js';
import { systemClock, type Clock } from '../core/clock.js';
import { toClassification, type Classification, type Outcome } from '../core/outcome.js';
import type { PolicyOverrides } from '../core/policy.js';
import { breakers, type BreakerRegistry } from '../registry/breaker-registry.js';
import type { ResolvedBreakerRule } from '../config/resolved-config.js';
import type { BreakerSettings } from '../config/circuit-breaker-config.js';
import { classifySdkError, type SdkClassifierOptions } from './classify-sdk-error.js';
import { protectedView, type ProtectedViewOptions } from './client-proxy.js';
import { statusOf } from './sdk-error-shape.js';

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
   * @internal
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

const breakerOfClient = new WeakMap<object, CircuitBreaker>();

const agentArgs = argsObject({
  name: agentNameSchema,
  client: custom<object>(
    (v) => (typeof v === 'object' && v !== null) || typeof v === 'function',
    'expected an SDK client (an object)',
  ),
  options: optional(
    strictObject(
      {
        registry: optional(objectWith(['get', 'peek'], 'a BreakerRegistry')),
        settings: optional(settingsSchema),
        rule: optional(objectWith(['isFailureStatus'], 'a ResolvedBreakerRule from the config')),
        classify: optional(functionSchema('a function (error) => outcome')),
        protect: optional(functionSchema('a function (path) => boolean | undefined')),
        clock: optional(clockSchema),
      },
      'RegisterAgentClientOptions',
    ),
  ),
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
  const breakerName = agentBreakerName(name);
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
  const viewOptions: ProtectedViewOptions = {
    breaker,
    classify: buildClassifier(
      breakerName,
      rule?.classify ?? settings.classify,
      sdkOptions,
      options.classify,
    ),
    protect: options.protect,
    clock: options.clock ?? systemClock,
  };
  const proxy = protectedView(client, viewOptions) as T;
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

import { describe, expect, it } from 'vitest';
import {
  BreakerRegistry,
  CircuitBreaker,
  CircuitBreakerInstrumentation,
  isConfigError,
  ManualClock,
  registerAgentClient,
  resolvePolicy,
  retry,
  withFallback,
  type PolicyOverrides,
} from '../../src/index.js';

// Every public entry point validates names and options with the config's schemas and messages:
// a ConfigError whose line names the source (`code (<entry point>)`), the field, the value and
// what is allowed. One row per entry point and bad input.

const NAME_ALLOWED =
  'expected a string of 1-300 letters, digits, ".", "_", "-", ":", "*", "[" or "]"';
const AGENT_ALLOWED =
  'expected 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit';
const HALF_OPEN = 'expected an integer from 1 to 1000';
const THRESHOLD = 'expected an integer from 0 to 10000';
const PRESET =
  'expected one of "default", "strict", "lenient", "fast-recovery", "llm", "internal-http"';

const get = (name: unknown, overrides?: unknown) => () =>
  new BreakerRegistry({ clock: new ManualClock() }).get(
    name as string,
    overrides as PolicyOverrides,
  );
const newBreaker = (options: unknown) => () =>
  new CircuitBreaker(options as ConstructorParameters<typeof CircuitBreaker>[0]);
const agent =
  (name: unknown, client: unknown = {}, options: unknown = {}) =>
  () =>
    registerAgentClient(name as string, client as object, {
      registry: new BreakerRegistry(),
      ...(options as object),
    });
const instrumentation = (config: unknown) => () =>
  new CircuitBreakerInstrumentation(
    config as ConstructorParameters<typeof CircuitBreakerInstrumentation>[0],
  );
const instrumentationAgent = (name: unknown) => () =>
  new CircuitBreakerInstrumentation({
    env: {},
    enabled: false,
    breakerRegistry: new BreakerRegistry(),
  }).registerAgentClient(name as string, {});

const MB_NAME = 'x'.repeat(1 << 20);
const valid = resolvePolicy();

const ROWS: ReadonlyArray<readonly [string, () => unknown, string]> = [
  [
    'get: Symbol name',
    get(Symbol('s')),
    `code (breakers.get): name: got Symbol(s), ${NAME_ALLOWED}`,
  ],
  ['get: empty name', get(''), `code (breakers.get): name: got "", ${NAME_ALLOWED}`],
  [
    'get: 1 MB name',
    get(MB_NAME),
    `code (breakers.get): name: got "${'x'.repeat(78)}…, ${NAME_ALLOWED}`,
  ],
  [
    'get: 301 characters',
    get('a'.repeat(301)),
    `code (breakers.get): name: got "${'a'.repeat(78)}…, ${NAME_ALLOWED}`,
  ],
  [
    'get: undefined name',
    get(undefined),
    `code (breakers.get): name: got undefined, ${NAME_ALLOWED}`,
  ],
  ['get: {} name', get({}), `code (breakers.get): name: got {}, ${NAME_ALLOWED}`],
  ['get: 42 name', get(42), `code (breakers.get): name: got 42, ${NAME_ALLOWED}`],
  [
    'get: URL name',
    get('https://x/y?key=1'),
    `code (breakers.get): name: got "https://x/y?key=1", ${NAME_ALLOWED}`,
  ],
  ['get: name with a space', get('a b'), `code (breakers.get): name: got "a b", ${NAME_ALLOWED}`],
  [
    'get: halfOpenMaxCalls 0',
    get('a', { halfOpenMaxCalls: 0 }),
    `code (breakers.get): overrides.halfOpenMaxCalls: got 0, ${HALF_OPEN}`,
  ],
  [
    'get: failureThreshold NaN',
    get('a', { failureThreshold: NaN }),
    `code (breakers.get): overrides.failureThreshold: got NaN, ${THRESHOLD}`,
  ],
  [
    'get: failureThreshold Infinity',
    get('a', { failureThreshold: Infinity }),
    `code (breakers.get): overrides.failureThreshold: got Infinity, ${THRESHOLD}`,
  ],
  [
    'get: preset nope',
    get('a', { preset: 'nope' }),
    `code (breakers.get): overrides.preset: got "nope", ${PRESET}`,
  ],
  [
    'get: unknown field',
    get('a', { failureTreshold: 3 }),
    'code (breakers.get): overrides.failureTreshold: unknown key; did you mean "failureThreshold"?',
  ],
  [
    'get: overrides 42',
    get('a', 42),
    'code (breakers.get): overrides: got 42, expected a mapping of policy fields (and preset)',
  ],
  [
    'get: maxOpenSeconds below openSeconds',
    get('a', { maxOpenSeconds: 10 }),
    'code (breakers.get): overrides.maxOpenSeconds: got 10, expected at least openSeconds (30, preset "default")',
  ],
  [
    'new CircuitBreaker: no options',
    newBreaker(undefined),
    'code (new CircuitBreaker): options: got undefined, expected CircuitBreakerOptions ({ name, policy?, clock?, random?, classify?, link? })',
  ],
  [
    'new CircuitBreaker: Symbol name',
    newBreaker({ name: Symbol('s') }),
    `code (new CircuitBreaker): options.name: got Symbol(s), ${NAME_ALLOWED}`,
  ],
  [
    'new CircuitBreaker: halfOpenMaxCalls 0',
    newBreaker({ name: 'a', policy: { ...valid, halfOpenMaxCalls: 0 } }),
    `code (new CircuitBreaker): options.policy.halfOpenMaxCalls: got 0, ${HALF_OPEN}`,
  ],
  [
    'new CircuitBreaker: failureThreshold NaN',
    newBreaker({ name: 'a', policy: { ...valid, failureThreshold: NaN } }),
    `code (new CircuitBreaker): options.policy.failureThreshold: got NaN, ${THRESHOLD}`,
  ],
  [
    'new CircuitBreaker: partial policy',
    newBreaker({ name: 'a', policy: { ...valid, mode: undefined } }),
    'code (new CircuitBreaker): options.policy.mode: got undefined, expected one of "enforce", "observe"',
  ],
  [
    'new CircuitBreaker: maxOpenSeconds below openSeconds',
    newBreaker({ name: 'a', policy: { ...valid, maxOpenSeconds: 1 } }),
    'code (new CircuitBreaker): options.policy.maxOpenSeconds: got 1, expected at least openSeconds (30)',
  ],
  [
    'new CircuitBreaker: random not a function',
    newBreaker({ name: 'a', random: 0.5 }),
    'code (new CircuitBreaker): options.random: got 0.5, expected a function returning a number in [0, 1)',
  ],
  [
    'new BreakerRegistry: maxBreakers 0',
    () => new BreakerRegistry({ maxBreakers: 0 }),
    'code (new BreakerRegistry): options.maxBreakers: got 0, expected an integer from 1 to 1000000',
  ],
  [
    'new BreakerRegistry: defaults preset nope',
    () => new BreakerRegistry({ defaults: { preset: 'nope' as never } }),
    `code (new BreakerRegistry): options.defaults.preset: got "nope", ${PRESET}`,
  ],
  [
    'new BreakerRegistry: bad override name',
    () => new BreakerRegistry({ overrides: { '': {} } }),
    `code (new BreakerRegistry): options.overrides[""]: got "", ${NAME_ALLOWED}`,
  ],
  [
    'setLimits: idleEvictSeconds -1',
    () => new BreakerRegistry().setLimits({ idleEvictSeconds: -1 }),
    'code (BreakerRegistry.setLimits): limits.idleEvictSeconds: got -1, expected an integer from 1 to 2592000',
  ],
  [
    'resolvePolicy: preset nope',
    () => resolvePolicy({ preset: 'nope' as never }),
    `code (resolvePolicy): overrides.preset: got "nope", ${PRESET}`,
  ],
  [
    'registerAgentClient: Symbol name',
    agent(Symbol('s')),
    `code (registerAgentClient): name: got Symbol(s), ${AGENT_ALLOWED}`,
  ],
  [
    'registerAgentClient: empty name',
    agent(''),
    `code (registerAgentClient): name: got "", ${AGENT_ALLOWED}`,
  ],
  [
    'registerAgentClient: client 42',
    agent('a', 42),
    'code (registerAgentClient): client: got 42, expected an SDK client (an object)',
  ],
  [
    'registerAgentClient: halfOpenMaxCalls 0',
    agent('a', {}, { settings: { halfOpenMaxCalls: 0 } }),
    `code (registerAgentClient): options.settings.halfOpenMaxCalls: got 0, ${HALF_OPEN}`,
  ],
  [
    'registerAgentClient: preset nope',
    agent('a', {}, { settings: { preset: 'nope' } }),
    `code (registerAgentClient): options.settings.preset: got "nope", ${PRESET}`,
  ],
  [
    'registerAgentClient: unknown option',
    agent('a', {}, { retries: 2 }),
    'code (registerAgentClient): options.retries: unknown key; allowed: "registry", "settings", "rule", "classify", "protect", "clock"',
  ],
  [
    'instrumentation: null config',
    instrumentation(null),
    'code (new CircuitBreakerInstrumentation): config: got null, expected a CircuitBreakerInstrumentationConfig object',
  ],
  [
    'instrumentation: env 42',
    instrumentation({ env: 42 }),
    'code (new CircuitBreakerInstrumentation): config.env: got 42, expected a mapping of env var name to string, like process.env',
  ],
  [
    'instrumentation: halfOpenMaxCalls 0',
    instrumentation({ env: {}, defaults: { halfOpenMaxCalls: 0 } }),
    `code: defaults.halfOpenMaxCalls: got 0, ${HALF_OPEN}`,
  ],
  [
    'instrumentation.registerAgentClient: Symbol name',
    instrumentationAgent(Symbol('s')),
    `code (registerAgentClient): name: got Symbol(s), ${AGENT_ALLOWED}`,
  ],
  [
    'instrumentation: env with a non-string value (never echoed)',
    instrumentation({ env: { CIRCUIT_BREAKER_ADMIN_TOKEN: 'hunter2-secret-value', N: 5 } }),
    'code (new CircuitBreakerInstrumentation): config.env: got an object with a non-string value, expected a mapping of env var name to string, like process.env',
  ],
  [
    'retry: maxAttempts NaN',
    () => retry(async () => 1, { maxAttempts: NaN }),
    'code (retry): options.maxAttempts: got NaN, expected an integer from 1 to 1000',
  ],
  [
    'retry: baseDelayMs -1',
    () => retry(async () => 1, { baseDelayMs: -1 }),
    'code (retry): options.baseDelayMs: got -1, expected a number from 0 to 3600000',
  ],
  [
    'withFallback: maxCacheEntries NaN',
    () => withFallback(async () => 1, { fallback: 0, maxCacheEntries: NaN }),
    'code (withFallback): options.maxCacheEntries: got NaN, expected an integer from 1 to 1000000',
  ],
  [
    'withFallback: when "always"',
    () => withFallback(async () => 1, { fallback: 0, when: 'always' as never }),
    'code (withFallback): options.when: got "always", expected one of "failure", "open"',
  ],
];

describe('the code API rejects bad input with the config messages', () => {
  it.each(ROWS)('%s', async (_label, call, line) => {
    let error: unknown;
    try {
      await call();
    } catch (e) {
      error = e;
    }
    expect(isConfigError(error)).toBe(true);
    expect((error as Error).message.split('\n').map((l) => l.trim())).toContain(line);
  });

  it('accepts every name the config can produce, and looks existing breakers up without validating', () => {
    const registry = new BreakerRegistry({ clock: new ManualClock() });
    for (const name of [
      'api.example.com',
      'db.internal:5432',
      '*.example.com',
      '[::1]:8080',
      'agent:researcher',
      `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}:65535`,
    ])
      expect(registry.get(name).name).toBe(name);
    const breaker = registry.get('payments', { failureThreshold: 3 });
    // Overrides apply at creation only; a later get with any overrides is the same lookup.
    expect(registry.get('payments', { halfOpenMaxCalls: 0 })).toBe(breaker);
  });
});

import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BreakerRegistry,
  CircuitBreaker,
  isConfigError,
  ManualClock,
  registerAgentClient,
  startBreakerMetrics,
  startTransitionLogs,
  type CircuitBreakerOptions,
  type PolicyOverrides,
} from '../../src/index.js';
import { POLICY_FIELD_NAMES } from '../../src/config/field-specs.js';
import { parseExposition, startPrometheus } from './prometheus-harness.js';

// Whatever the code API accepts is safe for everything that reads it later: a Prometheus scrape,
// status()/toJSON() snapshots and transition log records. Inputs it does not accept are refused
// with a ConfigError, never another error.

const tricky = [...'abz09.:_-*[]/ ?=@"\\\n{}%#é', '\u0000', '\u2028'];
const nameArb = fc.oneof(
  {
    arbitrary: fc.string({ unit: fc.constantFrom(...'abz09.:_-*[]'), minLength: 1, maxLength: 40 }),
    weight: 4,
  },
  fc.string({ unit: fc.constantFrom(...tricky), maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('a', '.', ':'), minLength: 295, maxLength: 305 }),
  fc.constantFrom<unknown>(
    Symbol('s'),
    '',
    undefined,
    null,
    42,
    {},
    ['a'],
    '__proto__',
    'constructor',
  ),
  fc.anything(),
);
const valueArb = fc.oneof(
  fc.integer({ min: -5, max: 2_000_000 }),
  fc.double(),
  fc.boolean(),
  fc.constantFrom<unknown>(
    NaN,
    Infinity,
    -Infinity,
    0,
    1,
    null,
    undefined,
    'enforce',
    'observe',
    'nope',
    'llm',
  ),
  fc.anything(),
);
const overridesArb = fc.option(
  fc.oneof(
    {
      arbitrary: fc.record(
        {
          failureThreshold: fc.integer({ min: 0, max: 20 }),
          halfOpenMaxCalls: fc.integer({ min: 1, max: 5 }),
        },
        { requiredKeys: [] },
      ),
      weight: 3,
    },
    fc.dictionary(fc.constantFrom<string>(...POLICY_FIELD_NAMES, 'preset', 'bogus'), valueArb, {
      maxKeys: 4,
    }),
    fc.anything(),
  ),
  { nil: undefined },
);
const entryArb = fc.constantFrom('breakers.get', 'registerAgentClient', 'new CircuitBreaker');

describe('inputs accepted through the code API', () => {
  it('never crash a later scrape, snapshot or log', async () => {
    const prometheus = await startPrometheus();
    const logs = new InMemoryLogRecordExporter();
    const loggerProvider = new LoggerProvider({
      processors: [new SimpleLogRecordProcessor({ exporter: logs })],
    });
    const clock = new ManualClock();
    const registry = new BreakerRegistry({ clock });
    const stopMetrics = startBreakerMetrics(registry, {
      meterProvider: prometheus.meterProvider,
    });
    const stopLogs = startTransitionLogs(registry, { loggerProvider });
    const standalone: CircuitBreaker[] = [];
    let accepted = 0;
    try {
      fc.assert(
        fc.property(entryArb, nameArb, overridesArb, (entry, name, overrides) => {
          let breaker: CircuitBreaker;
          try {
            if (entry === 'breakers.get') {
              breaker = registry.get(name as string, overrides as PolicyOverrides);
            } else if (entry === 'registerAgentClient') {
              const client = registerAgentClient(
                name as string,
                { call: async () => 1 },
                {
                  registry,
                  settings: overrides as PolicyOverrides,
                },
              );
              breaker = registry.peek(`agent:${String(name)}`)!;
              expect(client).toBeDefined();
            } else {
              breaker = new CircuitBreaker({
                name,
                policy: overrides,
                clock,
              } as unknown as CircuitBreakerOptions);
              standalone.push(breaker);
            }
          } catch (error) {
            expect(isConfigError(error)).toBe(true);
            return;
          }
          accepted++;
          breaker.recordFailure(new Error('boom'));
          breaker.forceOpen();
          breaker.reset();
          JSON.stringify(breaker.toJSON());
          expect(breaker.status().name).toBe(breaker.name);
        }),
        { numRuns: 600, seed: 15 },
      );
      for (const breaker of standalone) JSON.stringify(breaker);
      const scraped = await prometheus.scrape();
      expect(parseExposition(scraped).length).toBeGreaterThan(0);
      expect(accepted).toBeGreaterThan(20);
      expect(logs.getFinishedLogRecords().length).toBeGreaterThan(0);
      for (const record of logs.getFinishedLogRecords()) JSON.stringify(record.attributes);
    } finally {
      stopLogs();
      stopMetrics();
      await loggerProvider.shutdown();
      await prometheus.shutdown();
    }
  });
});

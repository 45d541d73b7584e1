import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentBreakerOf,
  BreakerRegistry,
  CircuitBreakerInstrumentation,
  isConfigError,
  registerAgentClient,
} from '../../src/index.js';

// The instrumentation class in-process, as a user adds it to their own SDK.
let server: Server;
let host: string;
let requests = 0;

beforeAll(async () => {
  server = createServer((_req, res) => {
    requests++;
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('CircuitBreakerInstrumentation', () => {
  it('validates config before patching anything: a bad value throws a ConfigError naming the field', () => {
    let error: unknown;
    try {
      new CircuitBreakerInstrumentation({
        env: {},
        hosts: { [host]: { failureRateThreshold: 7 } },
      });
    } catch (e) {
      error = e;
    }
    expect(isConfigError(error)).toBe(true);
    expect(String((error as Error).message)).toContain(`hosts["${host}"].failureRateThreshold`);
  });

  it('enable/disable are fully reversible; registerInstrumentations and a meter provider work', async () => {
    const registry = new BreakerRegistry();
    const instrumentation = new CircuitBreakerInstrumentation({
      env: {},
      hosts: [host],
      breakerRegistry: registry,
      enabled: false,
    });
    const meterProvider = new MeterProvider();
    const unregister = registerInstrumentations({
      instrumentations: [instrumentation],
      meterProvider,
    });
    expect(instrumentation.isEnabled()).toBe(true);

    await (await fetch(`http://${host}/`)).text();
    const breaker = registry.peek(host)!;
    expect(breaker.counters.successes).toBe(1);
    breaker.forceOpen();
    const rejected = await fetch(`http://${host}/`).catch((e: Error) => e);
    expect((rejected as Error & { cause?: { code?: string } }).cause?.code).toBe('ECIRCUITOPEN');

    const before = requests;
    instrumentation.disable();
    expect((await fetch(`http://${host}/`)).status).toBe(200); // nothing of ours on the path
    expect(requests).toBe(before + 1);
    expect(breaker.counters.successes).toBe(1);

    instrumentation.enable();
    expect(
      await fetch(`http://${host}/`).catch((e: Error) => (e.cause as { code?: string }).code),
    ).toBe('ECIRCUITOPEN');
    unregister();
    instrumentation.disable();
    await meterProvider.shutdown();
  });

  it('registerAgentClient uses the agent config (preset llm unless set)', async () => {
    const registry = new BreakerRegistry();
    const instrumentation = new CircuitBreakerInstrumentation({
      env: {},
      breakerRegistry: registry,
      agents: { researcher: { failureThreshold: 1 } },
    });
    const client = {
      chat: {
        completions: {
          create: async () => Promise.reject(Object.assign(new Error('boom'), { status: 500 })),
        },
      },
    };
    const wrapped = instrumentation.registerAgentClient('researcher', client);
    await expect(wrapped.chat.completions.create()).rejects.toThrow('boom');
    await expect(wrapped.chat.completions.create()).rejects.toMatchObject({ code: 'ECIRCUITOPEN' });
    expect(registry.peek('agent:researcher')!.policy.slowCallDurationMs).toBe(60_000); // from llm
    const other = instrumentation.registerAgentClient('writer', { x: async () => 1 });
    await other.x();
    expect(registry.peek('agent:writer')!.policy.openSeconds).toBe(60);
    instrumentation.disable();
  });

  it("the exported registerAgentClient follows the running instrumentation's agents config", () => {
    const instrumentation = new CircuitBreakerInstrumentation({
      env: {},
      agents: { planner: { openSeconds: 7, failureThreshold: 9 } },
    });
    const wrapped = registerAgentClient('planner', { x: async () => 1 });
    expect(agentBreakerOf(wrapped)!.policy).toMatchObject({ openSeconds: 7, failureThreshold: 9 });
    instrumentation.disable();
    const later = registerAgentClient('planner-2', { x: async () => 1 });
    expect(agentBreakerOf(later)!.policy.openSeconds).toBe(60); // plain llm preset once disabled
  });
});

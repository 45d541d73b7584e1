import { describe, expect, it } from 'vitest';
import { CircuitBreaker, ManualClock, resolvePolicy } from '../../src/index.js';
import type { BreakerPolicy } from '../../src/index.js';

const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
const failing = async () => {
  throw refused();
};
const ok = async () => 'ok';

function breakerWith(overrides: Partial<BreakerPolicy> = {}, clock = new ManualClock()) {
  const policy = resolvePolicy({ jitterRatio: 0, ...overrides });
  return { clock, breaker: new CircuitBreaker({ name: 'svc', policy, clock, random: () => 0 }) };
}

describe('closed state', () => {
  it('opens after failureThreshold consecutive failures, not before', async () => {
    const { breaker } = breakerWith({ failureThreshold: 3, failureRateThreshold: 0 });
    for (let i = 0; i < 2; i++)
      await expect(breaker.execute(failing)).rejects.toThrow('ECONNREFUSED');
    expect(breaker.currentState).toBe('closed');
    await expect(breaker.execute(failing)).rejects.toThrow('ECONNREFUSED');
    expect(breaker.currentState).toBe('open');
  });

  it('a success resets the consecutive count', async () => {
    const { breaker } = breakerWith({ failureThreshold: 3, failureRateThreshold: 0 });
    await breaker.execute(failing).catch(() => {});
    await breaker.execute(failing).catch(() => {});
    await breaker.execute(ok);
    await breaker.execute(failing).catch(() => {});
    await breaker.execute(failing).catch(() => {});
    expect(breaker.currentState).toBe('closed');
    expect(breaker.status().consecutiveFailures).toBe(2);
  });

  it('opens on failure rate once minimumCalls were seen', async () => {
    const { breaker } = breakerWith({
      failureThreshold: 0,
      failureRateThreshold: 0.5,
      minimumCalls: 10,
    });
    for (let i = 0; i < 5; i++) await breaker.execute(ok);
    for (let i = 0; i < 4; i++) await breaker.execute(failing).catch(() => {});
    expect(breaker.currentState).toBe('closed'); // 9 calls: below minimumCalls
    await breaker.execute(failing).catch(() => {});
    expect(breaker.currentState).toBe('open'); // 5 of 10 failed = 0.5
    expect(breaker.status().lastError).toMatchObject({ class: 'Error', kind: 'connection' });
  });

  it('forgets failures that slid out of the window', async () => {
    const { breaker, clock } = breakerWith({
      failureThreshold: 0,
      failureRateThreshold: 0.5,
      minimumCalls: 4,
      windowSeconds: 10,
      windowBuckets: 10,
    });
    for (let i = 0; i < 3; i++) await breaker.execute(failing).catch(() => {});
    clock.advance(11_000);
    expect(breaker.status().callsInWindow).toBe(0);
    for (let i = 0; i < 3; i++) await breaker.execute(ok);
    await breaker.execute(failing).catch(() => {});
    expect(breaker.currentState).toBe('closed'); // 1 of 4 in the window
  });

  it('opens on slow-call rate', async () => {
    const clock = new ManualClock();
    const { breaker } = breakerWith(
      {
        failureThreshold: 0,
        failureRateThreshold: 0,
        slowCallRateThreshold: 0.5,
        slowCallDurationMs: 100,
        minimumCalls: 4,
      },
      clock,
    );
    const slow = async () => {
      clock.advance(150);
      return 'slow';
    };
    await breaker.execute(ok);
    await breaker.execute(ok);
    await breaker.execute(slow);
    expect(breaker.currentState).toBe('closed');
    await breaker.execute(slow);
    expect(breaker.currentState).toBe('open');
    expect(breaker.status().counts.slowCalls).toBe(2);
  });

  it('ignores caller aborts', async () => {
    const { breaker } = breakerWith({ failureThreshold: 1 });
    const aborted = async () => {
      const c = new AbortController();
      c.abort();
      c.signal.throwIfAborted();
    };
    await expect(breaker.execute(aborted)).rejects.toThrow();
    expect(breaker.currentState).toBe('closed');
    expect(breaker.counters.ignored).toBe(1);
  });

  it('works with synchronous functions', async () => {
    const { breaker } = breakerWith({ failureThreshold: 1 });
    await expect(breaker.execute(() => 42)).resolves.toBe(42);
    await expect(
      breaker.execute(() => {
        throw refused();
      }),
    ).rejects.toThrow();
    expect(breaker.currentState).toBe('open');
  });

  it('wrap() keeps parameters', async () => {
    const { breaker } = breakerWith();
    const add = breaker.wrap(async (a: number, b: number) => a + b);
    await expect(add(2, 3)).resolves.toBe(5);
  });

  it('a custom classifier can call a thrown error a success', async () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker({
      name: 'c',
      clock,
      policy: resolvePolicy({ failureThreshold: 1 }),
      classify: (e) => ((e as Error).message === 'not found' ? 'success' : 'failure'),
    });
    await breaker.execute(async () => Promise.reject(new Error('not found'))).catch(() => {});
    expect(breaker.currentState).toBe('closed');
    await breaker.execute(failing).catch(() => {});
    expect(breaker.currentState).toBe('open');
  });

  it('a throwing classifier counts a failure and never throws into the call', async () => {
    const breaker = new CircuitBreaker({
      name: 'c',
      clock: new ManualClock(),
      classify: () => {
        throw new Error('bug');
      },
    });
    await expect(breaker.execute(failing)).rejects.toThrow('ECONNREFUSED');
    expect(breaker.counters.failures).toBe(1);
  });
});

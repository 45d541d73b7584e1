import { describe, expect, it } from 'vitest';
import { CircuitBreaker, ManualClock, resolvePolicy } from '../../src/index.js';
import type { BreakerPolicy } from '../../src/index.js';

function halfOpen(overrides: Partial<BreakerPolicy> = {}) {
  const clock = new ManualClock();
  const policy = resolvePolicy({
    failureThreshold: 1,
    openSeconds: 5,
    jitterRatio: 0,
    halfOpenMaxCalls: 2,
    successThreshold: 2,
    callTimeoutMs: 1_000,
    ...overrides,
  });
  const breaker = new CircuitBreaker({ name: 'h', policy, clock, random: () => 0 });
  breaker.canRequest()!.recordFailure(new Error('x'));
  clock.advance(5_000);
  expect(breaker.currentState).toBe('half_open');
  return { breaker, clock };
}

describe('half-open', () => {
  it('admits at most halfOpenMaxCalls probes and rejects the rest at once', () => {
    const { breaker } = halfOpen();
    const a = breaker.canRequest();
    const b = breaker.canRequest();
    expect(a).not.toBeNull();
    expect(b).not.toBeNull();
    expect(breaker.canRequest()).toBeNull();
    expect(breaker.rejectionError()).toMatchObject({ state: 'half_open', retryAfterMs: 0 });
    a!.recordIgnored(); // frees a permit without counting
    expect(breaker.canRequest()).not.toBeNull();
  });

  it('closes after successThreshold successes; permits settle once', () => {
    const { breaker } = halfOpen();
    const a = breaker.canRequest()!;
    a.recordSuccess(1);
    a.recordSuccess(1); // second settle is a no-op
    expect(breaker.currentState).toBe('half_open');
    breaker.canRequest()!.recordSuccess(1);
    expect(breaker.currentState).toBe('closed');
  });

  it('any probe failure re-opens', () => {
    const { breaker } = halfOpen();
    breaker.canRequest()!.recordSuccess(1);
    breaker.canRequest()!.recordFailure(new Error('still down'));
    expect(breaker.currentState).toBe('open');
  });

  it('a probe unsettled after callTimeoutMs is released as a failure, so half-open cannot get stuck', () => {
    const { breaker, clock } = halfOpen({ halfOpenMaxCalls: 1 });
    const stuck = breaker.canRequest()!;
    expect(breaker.canRequest()).toBeNull();
    clock.advance(1_000);
    expect(breaker.currentState).toBe('open');
    expect(breaker.counters.failures).toBe(2);
    stuck.recordSuccess(5); // late settle changes nothing
    expect(breaker.currentState).toBe('open');
  });

  it('concurrent async calls admit exactly halfOpenMaxCalls', async () => {
    const { breaker } = halfOpen({ halfOpenMaxCalls: 3, successThreshold: 3 });
    let admitted = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const calls = Array.from({ length: 50 }, () =>
      breaker.execute(async () => {
        admitted++;
        await gate;
        return 'ok';
      }),
    );
    await Promise.resolve();
    release();
    const results = await Promise.allSettled(calls);
    expect(admitted).toBe(3);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(47);
    expect(breaker.currentState).toBe('closed');
  });
});

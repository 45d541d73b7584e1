import { describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitOpenError, ManualClock, resolvePolicy } from '../../src/index.js';
import type { BreakerPolicy, Transition } from '../../src/index.js';

const failing = async () => {
  throw Object.assign(new Error('boom'), { code: 'ECONNRESET' });
};
const ok = async () => 'ok';

function tripped(overrides: Partial<BreakerPolicy> = {}, random = () => 0) {
  const clock = new ManualClock();
  const policy = resolvePolicy({
    failureThreshold: 1,
    openSeconds: 10,
    jitterRatio: 0,
    ...overrides,
  });
  const breaker = new CircuitBreaker({ name: 'api.example.com', policy, clock, random });
  return { clock, breaker, trip: () => breaker.execute(failing).catch(() => {}) };
}

describe('open state', () => {
  it('rejects at once with CircuitOpenError without running the function', async () => {
    const { breaker, trip } = tripped();
    await trip();
    let ran = false;
    const err = await breaker
      .execute(async () => {
        ran = true;
      })
      .catch((e: unknown) => e);
    expect(ran).toBe(false);
    expect(err).toBeInstanceOf(CircuitOpenError);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      code: 'ECIRCUITOPEN',
      breakerName: 'api.example.com',
      state: 'open',
      retryAfterMs: 10_000,
    });
    expect(breaker.counters.rejected).toBe(1);
  });

  it('becomes half_open lazily when the open time has passed (no timer)', async () => {
    const { breaker, clock, trip } = tripped();
    await trip();
    clock.advance(9_999);
    expect(breaker.currentState).toBe('open');
    expect(breaker.status().secondsUntilRecovery).toBeCloseTo(0, 0);
    clock.advance(1);
    expect(breaker.currentState).toBe('half_open');
  });

  it('backs off on repeated trips, capped by maxOpenSeconds, and resets after a close', async () => {
    const { breaker, clock, trip } = tripped({
      openSeconds: 10,
      backoffMultiplier: 2,
      maxOpenSeconds: 30,
      successThreshold: 1,
    });
    const openTimes: number[] = [];
    breaker.onTransition((t) => t.openMs !== undefined && openTimes.push(t.openMs));
    await trip();
    for (let i = 0; i < 3; i++) {
      clock.advance(60_000);
      await breaker.execute(failing).catch(() => {}); // probe fails → re-open longer
    }
    expect(openTimes).toEqual([10_000, 20_000, 30_000, 30_000]);
    clock.advance(60_000);
    await breaker.execute(ok); // probe succeeds → closed
    expect(breaker.currentState).toBe('closed');
    await trip();
    expect(openTimes.at(-1)).toBe(10_000);
  });

  it('jitter shortens the open time by up to jitterRatio', async () => {
    const { breaker, trip } = tripped({ jitterRatio: 0.2 }, () => 0.5);
    await trip();
    expect(breaker.retryAfterMs()).toBe(9_000);
  });

  it('honours Retry-After exactly, below the threshold, capped by maxOpenSeconds', async () => {
    const { breaker, clock } = tripped({ failureThreshold: 100, maxOpenSeconds: 60 });
    breaker
      .canRequest()!
      .recordFailure(new Error('429'), { retryAfterMs: 7_000, kind: 'rate_limited' });
    expect(breaker.currentState).toBe('open');
    expect(breaker.retryAfterMs()).toBe(6_990); // 10 ms early: timers fire a little early
    clock.advance(6_990);
    expect(breaker.currentState).toBe('half_open');
    breaker.reset();
    breaker.recordFailure(new Error('429'), { retryAfterMs: 3_600_000 });
    expect(breaker.retryAfterMs()).toBe(60_000);
  });

  it('ignores Retry-After when honorRetryAfter is off', () => {
    const { breaker } = tripped({ failureThreshold: 100, honorRetryAfter: false });
    breaker.recordFailure(new Error('429'), { retryAfterMs: 7_000 });
    expect(breaker.currentState).toBe('closed');
  });

  it('observe mode never blocks and counts what it would have rejected', async () => {
    const { breaker, trip } = tripped({ mode: 'observe' });
    await trip();
    expect(breaker.currentState).toBe('open');
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.counters.shadowRejections).toBe(2);
    expect(breaker.counters.rejected).toBe(0);
  });

  it('an in-flight call admitted while closed does not move state after the circuit opened', async () => {
    const { breaker, trip } = tripped({ failureThreshold: 2 });
    const permit = breaker.canRequest()!;
    await trip();
    await trip();
    expect(breaker.currentState).toBe('open');
    permit.recordFailure(new Error('late'));
    expect(breaker.status().epoch).toBe(1);
    expect(breaker.counters.failures).toBe(3);
  });
});

describe('manual states and listeners', () => {
  it('forceOpen rejects until reset; disable lets everything through and keeps measuring', async () => {
    const { breaker } = tripped({ failureThreshold: 1 });
    breaker.forceOpen();
    expect(breaker.currentState).toBe('forced_open');
    await expect(breaker.execute(ok)).rejects.toMatchObject({
      code: 'ECIRCUITOPEN',
      state: 'forced_open',
    });
    breaker.disable();
    await breaker.execute(failing).catch(() => {});
    await breaker.execute(failing).catch(() => {});
    expect(breaker.currentState).toBe('disabled');
    expect(breaker.counters.failures).toBe(2);
    breaker.reset();
    expect(breaker.currentState).toBe('closed');
    expect(breaker.status().callsInWindow).toBe(0);
  });

  it('emits every transition with a reason, synchronously; a throwing listener breaks nothing', async () => {
    const { breaker, clock, trip } = tripped({ successThreshold: 1 });
    const seen: Transition[] = [];
    breaker.onTransition(() => {
      throw new Error('listener bug');
    });
    breaker.onTransition((t) => seen.push(t));
    await trip();
    clock.advance(10_000);
    await breaker.execute(ok);
    expect(seen.map((t) => `${t.from}>${t.to}:${t.reason}`)).toEqual([
      'closed>open:consecutive_failures',
      'open>half_open:open_timeout_elapsed',
      'half_open>closed:probe_succeeded',
    ]);
    expect(seen.map((t) => t.epoch)).toEqual([1, 2, 3]);
    expect(seen[0]!.at).toBe(clock.wallNow() - 10_000);
  });

  it('status() is a serialisable snapshot with redacted last error', async () => {
    const { breaker } = tripped();
    await breaker
      .execute(async () => {
        throw new Error(
          'GET https://user:hunter2@api.example.com/v1/x?api_key=XYZ failed, Authorization: Bearer abc.def',
        );
      })
      .catch(() => {});
    const status = JSON.parse(JSON.stringify(breaker));
    expect(status).toMatchObject({ name: 'api.example.com', state: 'open', openCount: 1 });
    expect(status.openedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(status.recoveryAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const text = JSON.stringify(status);
    for (const secret of ['hunter2', 'XYZ', '/v1/x', 'abc.def']) expect(text).not.toContain(secret);
    expect(status.lastError.message).toContain('https://api.example.com');
  });
});

describe('quota exhaustion', () => {
  it('opens for quotaOpenSeconds, beyond maxOpenSeconds and whatever honorRetryAfter says', () => {
    const clock = new ManualClock();
    const policy = resolvePolicy({
      failureThreshold: 100,
      maxOpenSeconds: 60,
      quotaOpenSeconds: 1_800,
      honorRetryAfter: false,
    });
    const breaker = new CircuitBreaker({ name: 'llm', policy, clock });
    const seen: string[] = [];
    breaker.onTransition((t) => seen.push(t.reason));
    breaker
      .canRequest()!
      .recordFailure(new Error('insufficient_quota'), { kind: 'quota', retryAfterMs: 5_000 });
    expect(breaker.retryAfterMs()).toBe(1_800_000);
    expect(seen).toEqual(['quota_exhausted']);
    expect(breaker.failureKinds.get('quota')).toBe(1);
  });
});

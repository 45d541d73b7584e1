import { describe, expect, it } from 'vitest';
import {
  remainingOpenMs,
  serverRequestedOpenMs,
  SERVER_WAIT_SLACK_MS,
} from '../../src/core/open-time.js';
import { resolvePolicy } from '../../src/core/policy.js';

const honoring = resolvePolicy({
  honorRetryAfter: true,
  maxOpenSeconds: 60,
  quotaOpenSeconds: 600,
});

describe('serverRequestedOpenMs', () => {
  it('opens an exhausted quota for quotaOpenSeconds, above the cap and whatever Retry-After says', () => {
    const quota = { outcome: 'failure', kind: 'quota', retryAfterMs: 5_000 } as const;
    expect(serverRequestedOpenMs(honoring, quota)).toBe(600_000);
    expect(serverRequestedOpenMs({ ...honoring, honorRetryAfter: false }, quota)).toBe(600_000);
  });

  it('ends a Retry-After wait a little early, so a client waiting exactly that long finds a probe', () => {
    const c = { outcome: 'failure', retryAfterMs: 5_000 } as const;
    expect(serverRequestedOpenMs(honoring, c)).toBe(5_000 - SERVER_WAIT_SLACK_MS);
    // A very short wait loses 1%, not the whole slack.
    expect(serverRequestedOpenMs(honoring, { outcome: 'failure', retryAfterMs: 200 })).toBe(198);
  });

  it('caps a Retry-After at maxOpenSeconds', () => {
    const c = { outcome: 'failure', retryAfterMs: 3_600_000 } as const;
    expect(serverRequestedOpenMs(honoring, c)).toBe(60_000);
  });

  it('asks for nothing without a positive Retry-After, or when the policy ignores it', () => {
    expect(serverRequestedOpenMs(honoring, { outcome: 'failure' })).toBeUndefined();
    expect(
      serverRequestedOpenMs(honoring, { outcome: 'failure', retryAfterMs: 0 }),
    ).toBeUndefined();
    const ignoring = { ...honoring, honorRetryAfter: false };
    expect(
      serverRequestedOpenMs(ignoring, { outcome: 'failure', retryAfterMs: 5_000 }),
    ).toBeUndefined();
  });
});

describe('remainingOpenMs', () => {
  it('counts down to the end of the open time and never below zero', () => {
    expect(remainingOpenMs(1_500, 1_000)).toBe(500);
    expect(remainingOpenMs(1_500, 2_000)).toBe(0);
  });
});

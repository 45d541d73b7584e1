import { describe, expect, it } from 'vitest';
import {
  parseGoDurationMs,
  parseRetryAfterHeader,
  parseRetryAfterMs,
  parseRetryDelayFromBody,
} from '../../src/core/retry-after.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('parseRetryAfterMs', () => {
  it('reads retry-after-ms first, then retry-after seconds or HTTP date', () => {
    expect(
      parseRetryAfterMs(new Headers({ 'retry-after-ms': '1500', 'retry-after': '9' }), NOW),
    ).toBe(1500);
    expect(parseRetryAfterMs(new Headers({ 'retry-after': '9' }), NOW)).toBe(9000);
    expect(
      parseRetryAfterMs(new Headers({ 'retry-after': new Date(NOW + 30_000).toUTCString() }), NOW),
    ).toBe(30_000);
    expect(
      parseRetryAfterMs(new Headers({ 'retry-after': new Date(NOW - 30_000).toUTCString() }), NOW),
    ).toBe(0);
    expect(parseRetryAfterMs(new Headers({ 'retry-after': 'soon' }), NOW)).toBeUndefined();
    expect(parseRetryAfterMs(new Headers(), NOW)).toBeUndefined();
  });

  it('takes a Node header record (any case, arrays), a Headers object or a function', () => {
    expect(parseRetryAfterMs({ 'Retry-After': '3' }, NOW)).toBe(3000);
    expect(parseRetryAfterMs({ 'retry-after': ['4', '5'] }, NOW)).toBe(4000);
    expect(parseRetryAfterMs((name) => (name === 'retry-after' ? '2' : undefined), NOW)).toBe(2000);
  });

  it('takes a raw [name, value, ...] list, as Buffers (undici) or strings (Node rawHeaders)', () => {
    const raw = ['Content-Type', 'text/plain', 'Retry-After', '7'];
    expect(
      parseRetryAfterMs(
        raw.map((s) => Buffer.from(s)),
        NOW,
      ),
    ).toBe(7000);
    expect(parseRetryAfterMs(raw, NOW)).toBe(7000);
    expect(parseRetryAfterMs(['content-type', 'text/plain'], NOW)).toBeUndefined();
  });

  it('reads openai x-ratelimit-reset-* only for a limit whose remaining count is 0', () => {
    const headers = {
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '6m0s',
      'x-ratelimit-remaining-tokens': '100',
      'x-ratelimit-reset-tokens': '1h',
    };
    expect(parseRetryAfterMs(headers, NOW)).toBe(360_000);
    expect(
      parseRetryAfterMs({ ...headers, 'x-ratelimit-remaining-requests': '5' }, NOW),
    ).toBeUndefined();
  });

  it('reads anthropic-ratelimit-*-reset (RFC 3339) minus now', () => {
    const headers = {
      'anthropic-ratelimit-requests-remaining': '0',
      'anthropic-ratelimit-requests-reset': new Date(NOW + 20_000).toISOString(),
      'anthropic-ratelimit-tokens-remaining': '5000',
      'anthropic-ratelimit-tokens-reset': new Date(NOW + 90_000).toISOString(),
    };
    expect(parseRetryAfterMs(headers, NOW)).toBe(20_000);
  });

  it('caps the result', () => {
    expect(parseRetryAfterMs({ 'retry-after': '999999' }, NOW, 60_000)).toBe(60_000);
  });
});

describe('small parsers', () => {
  it('parses Go durations', () => {
    expect(parseGoDurationMs('6m0s')).toBe(360_000);
    expect(parseGoDurationMs('1.5s')).toBe(1500);
    expect(parseGoDurationMs('20ms')).toBe(20);
    expect(parseGoDurationMs('1h2m3s')).toBe(3_723_000);
    expect(parseGoDurationMs('0')).toBe(0);
    expect(parseGoDurationMs('6 minutes')).toBeUndefined();
  });

  it('parses decimal seconds in Retry-After', () => {
    expect(parseRetryAfterHeader('0.5', NOW)).toBe(500);
  });

  it('reads Gemini retryDelay from an error body (object, text or array)', () => {
    const body = {
      error: {
        code: 429,
        status: 'RESOURCE_EXHAUSTED',
        details: [
          { '@type': 'type.googleapis.com/google.rpc.QuotaFailure' },
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '37s' },
        ],
      },
    };
    expect(parseRetryDelayFromBody(body)).toBe(37_000);
    expect(parseRetryDelayFromBody(JSON.stringify([body]))).toBe(37_000);
    expect(parseRetryDelayFromBody('<html>')).toBeUndefined();
  });
});

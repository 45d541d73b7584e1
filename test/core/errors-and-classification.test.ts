import { describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  CircuitOpenError,
  classifyError,
  isCircuitOpenError,
  ManualClock,
} from '../../src/index.js';
import { redactMessage } from '../../src/core/redact.js';

describe('CircuitOpenError', () => {
  it('is an Error with a code, breaker name, state and retryAfterMs, from the cheap path too', () => {
    const breaker = new CircuitBreaker({ name: 'api.example.com', clock: new ManualClock() });
    breaker.forceOpen();
    const cheap = breaker.rejectionError();
    const built = new CircuitOpenError({
      name: 'api.example.com',
      state: 'open',
      retryAfterMs: 1500,
    });
    for (const e of [cheap, built]) {
      expect(e).toBeInstanceOf(Error);
      expect(e).toBeInstanceOf(CircuitOpenError);
      expect(e.name).toBe('CircuitOpenError');
      expect(e.code).toBe('ECIRCUITOPEN');
      expect(e.breakerName).toBe('api.example.com');
      expect(isCircuitOpenError(e)).toBe(true);
      expect(String(e)).toMatch(/^CircuitOpenError: circuit breaker "api.example.com" is/);
    }
    expect(built.message).toContain('retry in 2s');
    expect(cheap.stack).toBe(`CircuitOpenError: ${cheap.message}`);
    expect(JSON.parse(JSON.stringify(built))).toMatchObject({
      code: 'ECIRCUITOPEN',
      retryAfterMs: 1500,
    });
  });
});

describe('default error classification', () => {
  const err = (props: Record<string, unknown>, message = 'x') =>
    Object.assign(new Error(message), props);
  it.each([
    ['ECONNREFUSED', err({ code: 'ECONNREFUSED' }), 'failure', 'connection'],
    ['ECONNRESET', err({ code: 'ECONNRESET' }), 'failure', 'connection'],
    ['ETIMEDOUT', err({ code: 'ETIMEDOUT' }), 'failure', 'timeout'],
    ['EAI_AGAIN', err({ code: 'EAI_AGAIN' }), 'failure', 'connection'],
    ['ENOTFOUND', err({ code: 'ENOTFOUND' }), 'failure', 'connection'],
    ['socket hang up', err({}, 'socket hang up'), 'failure', 'connection'],
    ['TLS', err({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), 'failure', 'connection'],
    ['cert', err({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), 'failure', 'connection'],
    ['TimeoutError', err({ name: 'TimeoutError' }), 'failure', 'timeout'],
    [
      'fetch failed wrapping',
      new TypeError('fetch failed', { cause: err({ code: 'ECONNREFUSED' }) }),
      'failure',
      'connection',
    ],
    ['undici headers timeout', err({ code: 'UND_ERR_HEADERS_TIMEOUT' }), 'failure', 'timeout'],
    ['AbortError', err({ name: 'AbortError' }), 'ignored', undefined],
    ['ABORT_ERR', err({ code: 'ABORT_ERR' }), 'ignored', undefined],
    ['anything else', new RangeError('bad'), 'failure', 'error'],
  ])('%s', (_label, error, outcome, kind) => {
    const c = classifyError(error);
    expect(c.outcome).toBe(outcome);
    expect(c.kind).toBe(kind);
  });
});

describe('redaction', () => {
  it('keeps scheme and host of URLs, masks credentials and keys, truncates', () => {
    const out = redactMessage(
      'failed https://bob:pw@api.example.com:8443/v1/chat?api_key=XYZ token=abc123 Authorization: Bearer sk-aaaaaaaaaaaa key sk-proj-bbbbbbbbbbbb',
    );
    expect(out).toContain('https://api.example.com:8443');
    for (const s of ['bob', 'pw@', '/v1/chat', 'XYZ', 'abc123', 'sk-aaaa', 'sk-proj-bbbb'])
      expect(out).not.toContain(s);
    expect(redactMessage('x'.repeat(500)).length).toBe(200);
  });
});

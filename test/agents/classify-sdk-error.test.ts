import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { classifySdkError } from '../../src/agents/classify-sdk-error.js';
import { createCircuitOpenError } from '../../src/core/errors.js';

// End-to-end classification through the real SDKs is in openai-sdk / anthropic-sdk / a2a-sdk tests.
// Here: the real SDK error classes built directly, and the AI SDK's shapes (`ai` is not installed;
// its errors are plain Errors with `name: 'AI_…'`, see packages/provider/src/errors in vercel/ai).

const NOW = Date.UTC(2026, 0, 1);
const opts = { wallNow: () => NOW };

function aiApiCallError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error('AI call failed'), {
    name: 'AI_APICallError',
    isRetryable: true,
    ...fields,
  });
}

describe('classifySdkError', () => {
  it('ignores caller aborts (openai names them only by class)', () => {
    expect(classifySdkError(new OpenAI.APIUserAbortError())).toEqual({ outcome: 'ignored' });
    expect(classifySdkError(new Anthropic.APIUserAbortError())).toEqual({ outcome: 'ignored' });
    expect(classifySdkError(new DOMException('aborted', 'AbortError'))).toEqual({
      outcome: 'ignored',
    });
  });

  it('timeouts and connection errors are failures of their kind, before any status', () => {
    expect(classifySdkError(new OpenAI.APIConnectionTimeoutError())).toMatchObject({
      kind: 'timeout',
    });
    expect(classifySdkError(new Anthropic.APIConnectionTimeoutError())).toMatchObject({
      kind: 'timeout',
    });
    expect(classifySdkError(new DOMException('t', 'TimeoutError'))).toMatchObject({
      kind: 'timeout',
    });
    expect(classifySdkError(new OpenAI.APIConnectionError({ message: 'x' }))).toMatchObject({
      kind: 'connection',
    });
    expect(classifySdkError(new TypeError('fetch failed'))).toMatchObject({ kind: 'connection' });
    expect(classifySdkError(aiApiCallError({ statusCode: undefined }))).toMatchObject({
      kind: 'connection',
    });
  });

  it('openai statuses', () => {
    const headers = new Headers({ 'retry-after': '20' });
    expect(
      classifySdkError(new OpenAI.RateLimitError(429, { type: 'requests' }, 'slow', headers), opts),
    ).toEqual({
      outcome: 'failure',
      kind: 'rate_limited',
      retryAfterMs: 20_000,
    });
    const quota = { code: 'insufficient_quota', type: 'insufficient_quota', message: 'no credit' };
    expect(
      classifySdkError(new OpenAI.RateLimitError(429, quota, 'q', new Headers()), {
        quotaOpenSeconds: 120,
      }),
    ).toEqual({ outcome: 'failure', kind: 'quota', retryAfterMs: 120_000 });
    expect(
      classifySdkError(new OpenAI.InternalServerError(500, {}, 'x', new Headers())),
    ).toMatchObject({ kind: 'server' });
    expect(classifySdkError(new OpenAI.ConflictError(409, {}, 'x', new Headers()))).toMatchObject({
      outcome: 'failure',
    });
    expect(classifySdkError(new OpenAI.APIError(408, {}, 'x', new Headers()))).toMatchObject({
      kind: 'timeout',
    });
    expect(classifySdkError(new OpenAI.AuthenticationError(401, {}, 'x', new Headers()))).toEqual({
      outcome: 'success',
    });
    expect(classifySdkError(new OpenAI.PermissionDeniedError(403, {}, 'x', new Headers()))).toEqual(
      { outcome: 'success' },
    );
    expect(classifySdkError(new OpenAI.NotFoundError(404, {}, 'x', new Headers()))).toEqual({
      outcome: 'success',
    });
  });

  it('openai x-ratelimit-reset when remaining is 0', () => {
    const headers = new Headers({
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-reset-tokens': '1m30s',
    });
    expect(classifySdkError(new OpenAI.RateLimitError(429, {}, 'x', headers), opts)).toMatchObject({
      retryAfterMs: 90_000,
    });
  });

  it('Anthropic statuses: spend limits are quota, 402 is quota, 529 is server with its retry-after', () => {
    const spend = (code: string) => ({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'limit', details: { error_code: code } },
    });
    for (const code of ['enforced_spend_limit_reached', 'contract_spend_limit_reached']) {
      expect(
        classifySdkError(new Anthropic.RateLimitError(429, spend(code), 'x', new Headers())),
      ).toMatchObject({
        kind: 'quota',
        retryAfterMs: 3_600_000,
      });
    }
    expect(
      classifySdkError(new Anthropic.PaymentRequiredError(402, {}, 'x', new Headers())),
    ).toMatchObject({
      kind: 'quota',
    });
    const reset = new Headers({
      'anthropic-ratelimit-requests-remaining': '0',
      'anthropic-ratelimit-requests-reset': new Date(NOW + 5000).toISOString(),
    });
    expect(classifySdkError(new Anthropic.RateLimitError(429, {}, 'x', reset), opts)).toMatchObject(
      {
        kind: 'rate_limited',
        retryAfterMs: 5000,
      },
    );
    expect(
      classifySdkError(
        new Anthropic.OverloadedError(529, {}, 'x', new Headers({ 'retry-after': '3' })),
        opts,
      ),
    ).toEqual({ outcome: 'failure', kind: 'server', retryAfterMs: 3000 });
  });

  it('mid-stream APIErrors (no status) are classified by type/code', () => {
    const h = new Headers();
    expect(
      classifySdkError(new OpenAI.APIError(undefined, { type: 'server_error' }, undefined, h)),
    ).toMatchObject({
      kind: 'server',
    });
    expect(
      classifySdkError(
        new OpenAI.APIError(undefined, { code: 'insufficient_quota' }, undefined, h),
      ),
    ).toMatchObject({ kind: 'quota' });
    expect(
      classifySdkError(
        new Anthropic.APIError(undefined, { error: { type: 'overloaded_error' } }, undefined, h),
      ),
    ).toMatchObject({ kind: 'server' });
    expect(
      classifySdkError(
        new Anthropic.APIError(
          undefined,
          { error: { type: 'invalid_request_error' } },
          undefined,
          h,
        ),
      ),
    ).toEqual({ outcome: 'success' });
  });

  it('AI SDK: statusCode, responseHeaders, Gemini retryDelay in the body, RetryError → lastError', () => {
    const gemini = aiApiCallError({
      statusCode: 429,
      responseHeaders: { 'content-type': 'application/json' },
      responseBody: JSON.stringify({
        error: { code: 429, status: 'RESOURCE_EXHAUSTED', details: [{ retryDelay: '41s' }] },
      }),
    });
    expect(classifySdkError(gemini)).toEqual({
      outcome: 'failure',
      kind: 'rate_limited',
      retryAfterMs: 41_000,
    });
    const quota = aiApiCallError({
      statusCode: 429,
      responseBody: JSON.stringify({
        error: { code: 'insufficient_quota', type: 'insufficient_quota' },
      }),
    });
    expect(classifySdkError(quota)).toMatchObject({ kind: 'quota' });
    const retry = Object.assign(new Error('failed after 3 attempts'), {
      name: 'AI_RetryError',
      lastError: aiApiCallError({ statusCode: 503, responseHeaders: { 'retry-after': '2' } }),
    });
    expect(classifySdkError(retry, opts)).toEqual({
      outcome: 'failure',
      kind: 'server',
      retryAfterMs: 2000,
    });
    expect(classifySdkError(aiApiCallError({ statusCode: 400 }))).toEqual({ outcome: 'success' });
  });

  it('A2A transport messages carry the status', () => {
    expect(
      classifySdkError(
        new Error('HTTP error for SendMessage! Status: 503 Service Unavailable. Response: x'),
      ),
    ).toMatchObject({ kind: 'server' });
    expect(
      classifySdkError(
        new Error(
          'HTTP error establishing stream for SendStreamingMessage: 502 Bad Gateway. Response: x',
        ),
      ),
    ).toMatchObject({ kind: 'server' });
    expect(
      classifySdkError(new Error('HTTP error for GetTask! Status: 404 Not Found. Response: x')),
    ).toEqual({
      outcome: 'success',
    });
  });

  it('failOn replaces the default failure statuses', () => {
    const e404 = new OpenAI.NotFoundError(404, {}, 'x', new Headers());
    const e500 = new OpenAI.InternalServerError(500, {}, 'x', new Headers());
    const failOn = { statuses: [404, '5xx' as const] };
    expect(classifySdkError(e404, { failOn })).toMatchObject({ outcome: 'failure' });
    expect(classifySdkError(e500, { failOn: { statuses: [404] } })).toEqual({ outcome: 'success' });
  });

  it('falls back to the core rules for other errors', () => {
    expect(classifySdkError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toMatchObject({
      kind: 'connection',
    });
    expect(classifySdkError(new Error('whatever'))).toEqual({ outcome: 'failure', kind: 'error' });
    expect(
      classifySdkError(createCircuitOpenError({ name: 'x', state: 'open', retryAfterMs: 1 })),
    ).toMatchObject({
      outcome: 'failure',
    });
  });
});

import { isCircuitOpenError } from '../core/errors.js';
import { classifyError, isCallerAbort, type Classification } from '../core/outcome.js';
import { PRESETS } from '../core/policy.js';
import type { BreakerSettings } from '../config/circuit-breaker-config.js';
import {
  MAX_RETRY_AFTER_MS,
  parseRetryAfterMs,
  parseRetryDelayFromBody,
  type HeaderSource,
} from '../core/retry-after.js';
import { readSdkError, type SdkErrorFacts } from './sdk-error-shape.js';

/** How long a quota-exhausted provider stays open when the agent's settings do not say: the policy's. */
export const DEFAULT_QUOTA_OPEN_SECONDS = PRESETS.default.quotaOpenSeconds;

export interface SdkClassifierOptions {
  /** Open time for a quota failure (out of credit, spend limit). Default 3600. */
  readonly quotaOpenSeconds?: number;
  /**
   * Statuses counted as failures, replacing the default (5xx, 429, 408, 409), as in host config.
   * Quota exhaustion (402, 429 with a quota code) is a failure regardless.
   */
  readonly failOn?: BreakerSettings['failOn'];
  /** The same as `failOn`, already resolved (`ResolvedBreakerRule.isFailureStatus`); wins over `failOn`. */
  readonly isFailureStatus?: (status: number) => boolean;
  /** Upper bound of any Retry-After read from the error. Default 24 h (the breaker caps it again). */
  readonly maxRetryAfterMs?: number;
  /** Wall clock (epoch ms) for HTTP-date and RFC 3339 reset headers. Default `Date.now`. */
  readonly wallNow?: () => number;
}

const IGNORED: Classification = { outcome: 'ignored' };
const SUCCESS: Classification = { outcome: 'success' };
const TIMEOUT: Classification = { outcome: 'failure', kind: 'timeout' };
const CONNECTION: Classification = { outcome: 'failure', kind: 'connection' };
const SERVER: Classification = { outcome: 'failure', kind: 'server' };

/** Body codes that mean "out of money or credit", not "too fast": waiting a minute will not help. */
const QUOTA_CODES = new Set([
  'insufficient_quota',
  'enforced_spend_limit_reached',
  'contract_spend_limit_reached',
]);

/** Mid-stream error types (no status) that say the caller is at fault: the provider is healthy. */
const CALLER_ERROR_CODES = new Set([
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'invalid_api_key',
  'context_length_exceeded',
]);

const RATE_LIMIT_CODES = new Set(['rate_limit_exceeded', 'rate_limit_error', 'RESOURCE_EXHAUSTED']);

/**
 * Classifies an error thrown by an LLM or agent SDK call (openai 6/7, @anthropic-ai/sdk 1.x, the AI
 * SDK `ai`, @a2a-js/sdk), in this order:
 *
 * 1. AI SDK `RetryError` → its `lastError`.
 * 2. Caller abort (`APIUserAbortError`, `AbortError`) → ignored.
 * 3. Timeout (`APIConnectionTimeoutError`, `TimeoutError`) → failure `timeout`.
 * 4. Connection (`APIConnectionError`, a status-less AI SDK `APICallError`, `TypeError: fetch failed`)
 *    → failure `connection`. openai's abort, timeout and connection errors extend `APIError`, so they
 *    are recognised before any status is read.
 * 5. A status (`status`, `statusCode`, or `Status: 503` in an A2A transport message): 402 and 429
 *    with a quota code → failure `quota` open for `quotaOpenSeconds`; other 429 → `rate_limited`
 *    with its Retry-After; 5xx (529 included) → `server` (503/529 carry Retry-After); 408 → `timeout`;
 *    409 → `server`; 401, 403 and other 4xx → success (the provider answered; the request or the
 *    key is wrong), the same rule as the HTTP layer. `failOn.statuses` replaces the default set.
 * 6. An SDK `APIError` with no status (an error event in the middle of a stream) → by its
 *    `type`/`code`: quota, rate limit, caller error (success), anything else `server`.
 * 7. A2A protocol errors: JSON-RPC internal/server errors and `InvalidAgentResponseError` → `server`;
 *    other A2A errors (task not found, unsupported operation, …) → success.
 * 8. An error wrapping another (`cause`) → the cause's classification, when it says more than `error`.
 * 9. Anything else → the core classifier (network codes, TLS, timeouts; otherwise `error`).
 */
export function classifySdkError(
  error: unknown,
  options: SdkClassifierOptions = {},
): Classification {
  if (typeof error !== 'object' || error === null) return classifyError(error);
  const facts = readSdkError(error);
  const names = facts.classNames;

  if (names.has('AI_RetryError')) {
    const last = facts.lastError;
    if (last !== undefined && last !== error) return classifySdkError(last, options);
  }
  if (names.has('APIUserAbortError') || isCallerAbort(error)) return IGNORED;
  if (names.has('APIConnectionTimeoutError') || names.has('TimeoutError')) return TIMEOUT;
  // Our own rejection coming back through a nested wrapper: the target is known to be down.
  if (isCircuitOpenError(error)) return CONNECTION;

  const status = facts.status;
  if (names.has('APIConnectionError') || (names.has('AI_APICallError') && status === undefined)) {
    return CONNECTION;
  }
  if (names.has('TypeError') && facts.message === 'fetch failed') {
    const inner = classifyError(error);
    return inner.kind === 'timeout' ? inner : CONNECTION;
  }
  if (status !== undefined) return classifyStatus(status, facts, options);
  if (names.has('APIError') || facts.headers !== undefined)
    return classifyMidStream(facts, options);
  if (facts.a2a !== undefined) return classifyA2aError(facts.a2a, names);
  // Wrappers such as A2A's "SSE event contained an error" keep the SDK error as `cause`.
  const cause = facts.cause;
  if (typeof cause === 'object' && cause !== null && cause !== error) {
    const inner = classifySdkError(cause, options);
    if (inner.outcome !== 'failure' || inner.kind !== 'error') return inner;
  }
  return classifyError(error);
}

/** A classifier bound to options, in the shape `CircuitBreaker`/`BreakerRegistry` take. */
export function createSdkErrorClassifier(
  options: SdkClassifierOptions = {},
): (error: unknown) => Classification {
  return (error) => classifySdkError(error, options);
}

function classifyStatus(
  status: number,
  facts: SdkErrorFacts,
  options: SdkClassifierOptions,
): Classification {
  const statuses = options.failOn?.statuses;
  const isFailure =
    options.isFailureStatus ??
    (statuses === undefined ? undefined : (s: number) => matchesStatus(statuses, s));
  // Out of credit is a failure whatever failOn says: every call will fail until someone pays.
  if (status === 402 || (status === 429 && intersects(facts.codes, QUOTA_CODES)))
    return quotaFailure(options);
  if (isFailure !== undefined && !isFailure(status)) return SUCCESS;
  if (status === 429)
    return withRetryAfter({ outcome: 'failure', kind: 'rate_limited' }, facts, options);
  if (status >= 500) {
    return status === 503 || status === 529 ? withRetryAfter(SERVER, facts, options) : SERVER;
  }
  if (status === 408) return TIMEOUT;
  if (status === 409) return SERVER;
  return isFailure === undefined ? SUCCESS : { outcome: 'failure', kind: 'error' };
}

function classifyMidStream(facts: SdkErrorFacts, options: SdkClassifierOptions): Classification {
  const codes = facts.codes;
  if (intersects(codes, QUOTA_CODES)) return quotaFailure(options);
  if (intersects(codes, RATE_LIMIT_CODES)) {
    return withRetryAfter({ outcome: 'failure', kind: 'rate_limited' }, facts, options);
  }
  if (intersects(codes, CALLER_ERROR_CODES)) return SUCCESS;
  return SERVER;
}

function quotaFailure(options: SdkClassifierOptions): Classification {
  const seconds = options.quotaOpenSeconds ?? DEFAULT_QUOTA_OPEN_SECONDS;
  return { outcome: 'failure', kind: 'quota', retryAfterMs: seconds * 1000 };
}

/** `base` with the wait the provider asked for: its Retry-After headers, else a delay in the body. */
function withRetryAfter(
  base: Classification,
  facts: SdkErrorFacts,
  options: SdkClassifierOptions,
): Classification {
  const cap = options.maxRetryAfterMs ?? MAX_RETRY_AFTER_MS;
  const now = (options.wallNow ?? Date.now)();
  const headers = facts.headers;
  let retryAfterMs = isHeaderSource(headers) ? parseRetryAfterMs(headers, now, cap) : undefined;
  if (retryAfterMs === undefined) {
    for (const body of facts.bodies) {
      retryAfterMs = parseRetryDelayFromBody(body, cap);
      if (retryAfterMs !== undefined) break;
    }
  }
  return retryAfterMs === undefined ? base : { ...base, retryAfterMs };
}

function isHeaderSource(value: unknown): value is HeaderSource {
  return typeof value === 'object' && value !== null;
}

/** JSON-RPC internal error and the implementation-defined server error range (-32099..-32000). */
function isJsonRpcServerCode(code: unknown): boolean {
  return typeof code === 'number' && (code === -32603 || (code >= -32099 && code <= -32000));
}

/** A2A errors carry a `reason` (google.rpc.ErrorInfo); JSON-RPC transport errors an envelope code. */
function classifyA2aError(
  a2a: NonNullable<SdkErrorFacts['a2a']>,
  names: ReadonlySet<string>,
): Classification {
  if (names.has('InvalidAgentResponseError')) return SERVER;
  if (names.has('JsonRpcTransportError'))
    return isJsonRpcServerCode(a2a.envelopeCode) ? SERVER : SUCCESS;
  return a2a.reason === 'INTERNAL_ERROR' ? SERVER : SUCCESS;
}

function matchesStatus(statuses: ReadonlyArray<number | '4xx' | '5xx'>, status: number): boolean {
  for (const s of statuses) {
    if (s === status) return true;
    if (s === '4xx' && status >= 400 && status < 500) return true;
    if (s === '5xx' && status >= 500 && status < 600) return true;
  }
  return false;
}

function intersects(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const x of a) if (b.has(x)) return true;
  return false;
}

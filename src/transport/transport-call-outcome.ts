import { parseRetryAfterMs, type HeaderSource } from '../core/retry-after.js';
import type { Permit } from '../core/permit.js';
import { classifyError, type Outcome } from '../core/outcome.js';
import { HttpStatusError } from './http-status-error.js';
import type { OriginTarget } from './targets/origin-cache.js';

/**
 * The Outcome (core/outcome.ts) of one finished transport call, judged from its HTTP status or its
 * error (and the rule's `classify` hook, given a CallResult), and recorded on the call's permit.
 * Shared by every transport. A call is judged when its response headers arrive (so a streamed LLM
 * answer counts by its first byte), or when it fails.
 */

/** Statuses whose Retry-After the breaker is told about. */
function carriesRetryAfter(status: number): boolean {
  return status === 429 || status === 503;
}

function customOutcome(
  entry: OriginTarget,
  status: number | undefined,
  error: unknown,
  durationMs: number,
): Outcome | undefined {
  const classify = entry.target.rule.classify;
  if (classify === undefined) return undefined;
  try {
    return classify({ host: entry.hostname, status, error, durationMs });
  } catch {
    // A throwing user hook must not break the call; the default judgement applies.
    return undefined;
  }
}

/**
 * Records a response status. `headers` is read only for a failing 429/503 (Retry-After), so a
 * healthy response never pays for header parsing.
 */
export function settleResponse(
  entry: OriginTarget,
  permit: Permit,
  status: number,
  headers: HeaderSource | undefined,
  durationMs: number,
): void {
  const rule = entry.target.rule;
  // Without a classify hook a healthy status is the whole judgement: the common case, kept short.
  if (rule.classify === undefined && !rule.isFailureStatus(status)) {
    return permit.recordSuccess(durationMs);
  }
  const custom = customOutcome(entry, status, undefined, durationMs);
  const failed = custom === undefined ? rule.isFailureStatus(status) : custom === 'failure';
  if (custom === 'ignored') {
    permit.recordIgnored();
  } else if (!failed) {
    permit.recordSuccess(durationMs);
  } else {
    const retryAfterMs = carriesRetryAfter(status) ? parseRetryAfterMs(headers) : undefined;
    permit.recordFailure(new HttpStatusError(status), {
      durationMs,
      retryAfterMs,
      kind: status === 429 ? 'rate_limited' : 'server',
    });
  }
}

/** Records a call that ended in an error before (or instead of) response headers. */
export function settleError(
  entry: OriginTarget,
  permit: Permit,
  error: unknown,
  durationMs: number,
  callerAborted: boolean,
): void {
  if (callerAborted) {
    permit.recordIgnored();
    return;
  }
  const custom = customOutcome(entry, undefined, error, durationMs);
  if (custom === 'ignored') return permit.recordIgnored();
  if (custom === 'success') return permit.recordSuccess(durationMs);
  const c = classifyError(error);
  if (custom === undefined && c.outcome === 'ignored') return permit.recordIgnored();
  if (custom === undefined && c.outcome === 'success') return permit.recordSuccess(durationMs);
  permit.recordFailure(error, { durationMs, kind: c.kind ?? 'error' });
}

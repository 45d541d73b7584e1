/** What a finished call means for the breaker. `ignored` calls (the caller aborted) count as neither. */
export type Outcome = 'success' | 'failure' | 'ignored';

/** Why a call failed, when known; shown in status and as an attribute of failure telemetry. */
export type FailureKind = 'connection' | 'timeout' | 'server' | 'rate_limited' | 'quota' | 'error';

export interface Classification {
  readonly outcome: Outcome;
  readonly kind?: FailureKind;
  /** Server-requested wait (Retry-After), used when the policy honours it. */
  readonly retryAfterMs?: number;
}

/** Maps a thrown error to an outcome. Users supply their own per breaker; this is the default. */
export type ErrorClassifier = (error: unknown) => Classification | Outcome;

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

const FAILURE: Classification = { outcome: 'failure', kind: 'error' };
const CONNECTION_FAILURE: Classification = { outcome: 'failure', kind: 'connection' };
const TIMEOUT_FAILURE: Classification = { outcome: 'failure', kind: 'timeout' };
const IGNORED: Classification = { outcome: 'ignored' };

/** True for an abort the caller asked for (AbortSignal), which says nothing about the target's health. */
export function isCallerAbort(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const name = (error as { name?: unknown }).name;
  if (name === 'AbortError') return true;
  const code = (error as { code?: unknown }).code;
  return code === 'ABORT_ERR' || code === 'UND_ERR_ABORTED';
}

function codeOf(error: object): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function isTlsFailure(error: object, code: string | undefined): boolean {
  if (
    code !== undefined &&
    (code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || code.includes('CERT'))
  ) {
    return true;
  }
  const library = (error as { library?: unknown }).library;
  return library === 'SSL routines';
}

/**
 * Default classification of a thrown error: caller aborts are ignored; network errors, TLS
 * failures and timeouts are failures of their kind; anything else thrown is a failure, since the
 * call did not complete. (HTTP statuses are classified by the transports, not here.)
 */
export function classifyError(error: unknown): Classification {
  if (typeof error !== 'object' || error === null) return FAILURE;
  if (isCallerAbort(error)) return IGNORED;
  const name = (error as { name?: unknown }).name;
  if (name === 'TimeoutError') return TIMEOUT_FAILURE;
  const code = codeOf(error);
  if (code !== undefined && TIMEOUT_CODES.has(code)) return TIMEOUT_FAILURE;
  if (code !== undefined && NETWORK_ERROR_CODES.has(code)) return CONNECTION_FAILURE;
  if (isTlsFailure(error, code)) return CONNECTION_FAILURE;
  const message = (error as { message?: unknown }).message;
  if (typeof message === 'string' && message.includes('socket hang up')) return CONNECTION_FAILURE;
  // fetch wraps the network error in TypeError('fetch failed', { cause }).
  const cause = (error as { cause?: unknown }).cause;
  if (cause !== undefined && cause !== error) {
    const inner = classifyError(cause);
    if (inner.kind !== 'error') return inner;
  }
  return FAILURE;
}

/** Normalises a user classifier's answer (a bare outcome or a full classification). */
export function toClassification(result: Classification | Outcome): Classification {
  if (typeof result === 'string') {
    return result === 'failure' ? FAILURE : result === 'ignored' ? IGNORED : { outcome: 'success' };
  }
  return result;
}

/** Classifies with a user classifier that may throw: a throwing classifier counts the call as failed. */
export function classifySafely(classify: ErrorClassifier, error: unknown): Classification {
  try {
    return toClassification(classify(error));
  } catch {
    // A bug in the classifier must not turn into an app error.
    return FAILURE;
  }
}

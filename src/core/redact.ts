const MAX_MESSAGE_LENGTH = 200;

const URL_PATTERN = /\b([a-z][a-z0-9+.-]*):\/\/(?:[^\s/?#@]*@)?([^\s/?#]+)[^\s]*/gi;
const BEARER_PATTERN = /\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+/gi;
const KEY_VALUE_PATTERN =
  /\b(api[_-]?key|access[_-]?token|token|secret|password|passwd|authorization|x-api-key)(["']?\s*[:=]\s*["']?)[^\s"',;&]+/gi;
const PROVIDER_KEY_PATTERN = /\b(sk|pk|rk)-[A-Za-z0-9_-]{8,}/g;

/**
 * Makes an error message safe to show in status, logs and telemetry: URLs keep only scheme and
 * host (no userinfo, path or query), credentials and API keys are masked, and it is truncated.
 */
export function redactMessage(message: string): string {
  const cleaned = message
    .replace(URL_PATTERN, '$1://$2')
    .replace(BEARER_PATTERN, '$1 [redacted]')
    .replace(KEY_VALUE_PATTERN, '$1$2[redacted]')
    .replace(PROVIDER_KEY_PATTERN, '[redacted-key]');
  return cleaned.length > MAX_MESSAGE_LENGTH
    ? `${cleaned.slice(0, MAX_MESSAGE_LENGTH - 1)}…`
    : cleaned;
}

export interface ErrorSummary {
  /** The error's class (constructor name), e.g. `TypeError`: `lastError.class` of the admin JSON. */
  readonly class: string;
  readonly message: string;
}

export function summarizeError(error: unknown): ErrorSummary {
  if (error instanceof Error) {
    return {
      class: error.constructor?.name || error.name || 'Error',
      message: redactMessage(String(error.message)),
    };
  }
  if (typeof error === 'object' && error !== null) {
    const name = (error as { constructor?: { name?: string } }).constructor?.name ?? 'Object';
    const message = (error as { message?: unknown }).message;
    return { class: name, message: typeof message === 'string' ? redactMessage(message) : '' };
  }
  return { class: typeof error, message: error === undefined ? '' : redactMessage(String(error)) };
}

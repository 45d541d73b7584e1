/**
 * What an SDK error carries, read by shape, never by `instanceof`: the app may load its own copy of
 * an SDK (or several versions), and we must not depend on any SDK being installed at all.
 * `readSdkError` gathers every fact the rules in classify-sdk-error.ts decide on, so this file knows
 * where each SDK keeps a status, a header or a code, and that one knows what they mean.
 */

/** The facts of one SDK error that its classification depends on. */
export interface SdkErrorFacts {
  /** Its `name` and constructor names (`APIConnectionError`, `AI_RetryError`, ...). */
  readonly classNames: ReadonlySet<string>;
  /** The HTTP status: `status`/`statusCode`, else the one an A2A transport wrote in the message. */
  readonly status: number | undefined;
  /** Response headers as the SDK keeps them (a fetch Headers or a record), if any. */
  readonly headers: unknown;
  /** Error bodies (see bodiesOf). */
  readonly bodies: readonly unknown[];
  /** Every `code`/`type`/`status` string on the error and its bodies (see errorCodesOf). */
  readonly codes: ReadonlySet<string>;
  readonly message: unknown;
  /** An AI SDK `RetryError`'s last attempt. */
  readonly lastError: unknown;
  /** The error it wraps (A2A's "SSE event contained an error" keeps the SDK error here). */
  readonly cause: unknown;
  /** Set for A2A protocol errors, which carry a `reason` and can describe themselves. */
  readonly a2a: { readonly reason: string; readonly envelopeCode: unknown } | undefined;
}

export function readSdkError(error: object): SdkErrorFacts {
  const e = error as {
    message?: unknown;
    lastError?: unknown;
    cause?: unknown;
    reason?: unknown;
    toErrorInfo?: unknown;
    envelopeCode?: unknown;
  };
  const bodies = bodiesOf(error);
  return {
    classNames: errorClassNames(error),
    status:
      statusOf(error) ??
      (typeof e.message === 'string' ? statusFromA2aMessage(e.message) : undefined),
    headers: headersOf(error),
    bodies,
    codes: errorCodesOf(error, bodies),
    message: e.message,
    lastError: e.lastError,
    cause: e.cause,
    a2a:
      typeof e.reason === 'string' && typeof e.toErrorInfo === 'function'
        ? { reason: e.reason, envelopeCode: e.envelopeCode }
        : undefined,
  };
}

/**
 * The error's class names: its `name` plus every constructor name up the prototype chain. openai
 * leaves `name` as `'Error'` on its classes, so the constructor names are what identify them;
 * Anthropic, the AI SDK and A2A set `name` themselves.
 */
function errorClassNames(error: object): Set<string> {
  const names = new Set<string>();
  const name = (error as { name?: unknown }).name;
  if (typeof name === 'string') names.add(name);
  for (
    let proto = Object.getPrototypeOf(error) as object | null;
    proto !== null;
    proto = Object.getPrototypeOf(proto)
  ) {
    if (proto === Error.prototype || proto === Object.prototype) break;
    const ctorName = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof ctorName === 'string' && ctorName !== '') names.add(ctorName);
  }
  return names;
}

/** The HTTP status an SDK error carries: `status` (openai, Anthropic), `statusCode` (AI SDK). */
export function statusOf(error: object): number | undefined {
  const status =
    (error as { status?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599
    ? status
    : undefined;
}

/**
 * A2A JSON-RPC and REST transports throw plain Errors with the status only in the message:
 * `HTTP error for SendMessage! Status: 503 Service Unavailable. ...` or
 * `HTTP error establishing stream for SendStreamingMessage: 503 Service Unavailable. ...`.
 */
function statusFromA2aMessage(message: string): number | undefined {
  const match = /^HTTP error (?:for \S+! Status: |establishing stream for \S+: )(\d{3})\b/.exec(
    message,
  );
  return match === null ? undefined : Number(match[1]);
}

/** Response headers: `headers` (openai, Anthropic: a fetch Headers), `responseHeaders` (AI SDK: a record). */
function headersOf(error: object): unknown {
  return (
    (error as { headers?: unknown }).headers ??
    (error as { responseHeaders?: unknown }).responseHeaders
  );
}

/**
 * Error bodies the SDKs keep: openai `error` (the body's `error` member) and `code`/`type`;
 * Anthropic `error` (the whole body), `type`, `errorCode`; AI SDK `data` or `responseBody` (text).
 */
function bodiesOf(error: object): unknown[] {
  const bodies: unknown[] = [];
  const e = error as { error?: unknown; data?: unknown; responseBody?: unknown };
  if (e.error !== undefined) bodies.push(e.error);
  if (e.data !== undefined) bodies.push(e.data);
  if (typeof e.responseBody === 'string') {
    const parsed = parseSmallJson(e.responseBody);
    if (parsed !== undefined) bodies.push(parsed);
  }
  return bodies;
}

/**
 * Every `code`, `type` and `details.error_code` string found on the error and in its bodies, one
 * and two levels deep (openai puts them on `error`, Anthropic on `body.error`).
 */
function errorCodesOf(error: object, bodies: readonly unknown[]): Set<string> {
  const codes = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value === 'string' && value !== '') codes.add(value);
  };
  const collect = (holder: unknown): void => {
    if (typeof holder !== 'object' || holder === null) return;
    const h = holder as {
      code?: unknown;
      type?: unknown;
      status?: unknown;
      details?: unknown;
      errorCode?: unknown;
    };
    add(h.code);
    add(h.type);
    add(h.errorCode);
    // Google APIs: `status: "RESOURCE_EXHAUSTED"` next to a numeric `code`.
    if (typeof h.status === 'string') add(h.status);
    if (typeof h.details === 'object' && h.details !== null)
      add((h.details as { error_code?: unknown }).error_code);
  };
  collect(error);
  for (const body of bodies) {
    collect(body);
    if (typeof body === 'object' && body !== null) collect((body as { error?: unknown }).error);
  }
  return codes;
}

function parseSmallJson(text: string): unknown {
  if (text.length > 64 * 1024) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

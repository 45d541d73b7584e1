/**
 * Reading SDK errors by shape, never by `instanceof`: the app may load its own copy of an SDK (or
 * several versions), and we must not depend on any SDK being installed at all.
 */

/**
 * The error's class names: its `name` plus every constructor name up the prototype chain. openai
 * leaves `name` as `'Error'` on its classes, so the constructor names are what identify them;
 * Anthropic, the AI SDK and A2A set `name` themselves.
 */
export function errorClassNames(error: object): Set<string> {
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
export function statusFromA2aMessage(message: string): number | undefined {
  const match = /^HTTP error (?:for \S+! Status: |establishing stream for \S+: )(\d{3})\b/.exec(
    message,
  );
  return match === null ? undefined : Number(match[1]);
}

/** Response headers: `headers` (openai, Anthropic: a fetch Headers), `responseHeaders` (AI SDK: a record). */
export function headersOf(error: object): unknown {
  return (
    (error as { headers?: unknown }).headers ??
    (error as { responseHeaders?: unknown }).responseHeaders
  );
}

/**
 * Error bodies the SDKs keep: openai `error` (the body's `error` member) and `code`/`type`;
 * Anthropic `error` (the whole body), `type`, `errorCode`; AI SDK `data` or `responseBody` (text).
 */
export function bodiesOf(error: object): unknown[] {
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
export function errorCodesOf(error: object): Set<string> {
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
  for (const body of bodiesOf(error)) {
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

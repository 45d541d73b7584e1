/**
 * Reading how long a server asked us to wait, from response headers and (Gemini) error bodies.
 * Shared by the SDK error classifier and the HTTP transports, so every layer reads the same way.
 */

/**
 * Anything headers come as: a fetch `Headers`, a Node header record, a raw `[name, value, ...]`
 * list (undici's raw headers, Node's `rawHeaders`), or a lookup function.
 */
export type HeaderSource =
  | { get(name: string): string | null | undefined }
  | Readonly<Record<string, string | readonly string[] | number | undefined>>
  | RawHeaderList
  | ((name: string) => string | null | undefined);

/** Names and values alternating, as received (Buffers from undici, strings from Node). */
export type RawHeaderList = readonly (string | Uint8Array)[];

/** Waits longer than this are treated as this long; the breaker caps further at `maxOpenSeconds`. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

type Lookup = (name: string) => string | undefined;

/** Turns any header source into a case-insensitive single-value lookup. */
export function headerLookup(headers: HeaderSource | null | undefined): Lookup {
  if (headers === null || headers === undefined) return () => undefined;
  if (typeof headers === 'function') {
    return (name) => headers(name) ?? undefined;
  }
  if (Array.isArray(headers)) return rawListLookup(headers as RawHeaderList);
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const h = headers as { get(name: string): string | null | undefined };
    return (name) => h.get(name) ?? undefined;
  }
  const record = headers as Readonly<
    Record<string, string | readonly string[] | number | undefined>
  >;
  // Node lower-cases incoming header names; a record built by hand may not, so index it once.
  let lowered: Map<string, string> | undefined;
  return (name) => {
    const direct = record[name];
    if (direct !== undefined) return firstValue(direct);
    if (lowered === undefined) {
      lowered = new Map();
      for (const [key, value] of Object.entries(record)) {
        if (value !== undefined) lowered.set(key.toLowerCase(), firstValue(value));
      }
    }
    return lowered.get(name);
  };
}

function rawListLookup(raw: RawHeaderList): Lookup {
  return (name) => {
    for (let i = 0; i + 1 < raw.length; i += 2) {
      if (String(raw[i]).toLowerCase() === name) return String(raw[i + 1]);
    }
    return undefined;
  };
}

function firstValue(value: string | readonly string[] | number): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value;
  return value[0] ?? '';
}

/**
 * The server-requested wait in ms, or undefined when the headers ask for none. First hit wins:
 * `retry-after-ms`; `retry-after` (delta seconds or HTTP date); OpenAI `x-ratelimit-reset-*`
 * (Go durations such as `6m0s`) for each limit whose remaining count is 0; Anthropic
 * `anthropic-ratelimit-*-reset` (RFC 3339) minus now for each limit whose remaining count is 0
 * (or not sent). The result is at most `capMs`.
 */
export function parseRetryAfterMs(
  headers: HeaderSource | null | undefined,
  nowMs: number = Date.now(),
  capMs: number = MAX_RETRY_AFTER_MS,
): number | undefined {
  const get = headerLookup(headers);
  const ms =
    parseRetryAfterMsHeader(get('retry-after-ms')) ??
    parseRetryAfterHeader(get('retry-after'), nowMs) ??
    openAiResetMs(get) ??
    anthropicResetMs(get, nowMs);
  return ms === undefined ? undefined : Math.min(ms, capMs);
}

function parseRetryAfterMsHeader(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Number(value.trim());
  return Number.isFinite(ms) && ms >= 0 && value.trim() !== '' ? Math.ceil(ms) : undefined;
}

/** `Retry-After`: delta seconds (RFC 9110 allows only digits; decimals are accepted) or an HTTP date. */
export function parseRetryAfterHeader(
  value: string | undefined,
  nowMs: number = Date.now(),
): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

const OPENAI_LIMITS = ['requests', 'tokens'] as const;

function openAiResetMs(get: Lookup): number | undefined {
  let longest: number | undefined;
  for (const limit of OPENAI_LIMITS) {
    if (get(`x-ratelimit-remaining-${limit}`)?.trim() !== '0') continue;
    const ms = parseGoDurationMs(get(`x-ratelimit-reset-${limit}`));
    if (ms !== undefined) longest = Math.max(longest ?? 0, ms);
  }
  return longest;
}

const ANTHROPIC_LIMITS = ['requests', 'tokens', 'input-tokens', 'output-tokens'] as const;

function anthropicResetMs(get: Lookup, nowMs: number): number | undefined {
  let longest: number | undefined;
  for (const limit of ANTHROPIC_LIMITS) {
    const reset = get(`anthropic-ratelimit-${limit}-reset`);
    if (reset === undefined) continue;
    const remaining = get(`anthropic-ratelimit-${limit}-remaining`);
    if (remaining !== undefined && remaining.trim() !== '0') continue;
    const at = Date.parse(reset.trim());
    if (Number.isNaN(at)) continue;
    longest = Math.max(longest ?? 0, Math.max(0, at - nowMs));
  }
  return longest;
}

const GO_UNIT_MS: Readonly<Record<string, number>> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 0.001,
  µs: 0.001,
  μs: 0.001,
  ns: 0.000001,
};

/** A Go `time.Duration` string (`6m0s`, `1.5s`, `20ms`, `1h2m3s`) in ms, rounded up; undefined if malformed. */
export function parseGoDurationMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (text === '0') return 0;
  const part = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|μs|ns)/gy;
  let total = 0;
  let index = 0;
  while (index < text.length) {
    part.lastIndex = index;
    const match = part.exec(text);
    if (match === null) return undefined;
    total += Number(match[1]) * (GO_UNIT_MS[match[2] as string] ?? 0);
    index = part.lastIndex;
  }
  return Math.ceil(total);
}

/**
 * Gemini (Google APIs) put the wait in the error body: `error.details[]` entry of type
 * `google.rpc.RetryInfo` with `retryDelay: "37s"` (a protobuf Duration). Accepts the body as
 * parsed JSON or text; returns ms or undefined.
 */
export function parseRetryDelayFromBody(
  body: unknown,
  capMs: number = MAX_RETRY_AFTER_MS,
): number | undefined {
  const parsed = typeof body === 'string' ? parseJsonSafely(body) : body;
  const candidates = Array.isArray(parsed) ? parsed : [parsed];
  for (const candidate of candidates) {
    if (typeof candidate !== 'object' || candidate === null) continue;
    const error = (candidate as { error?: unknown }).error;
    const holder = typeof error === 'object' && error !== null ? error : candidate;
    const details = (holder as { details?: unknown }).details;
    if (!Array.isArray(details)) continue;
    for (const detail of details) {
      const delay = (detail as { retryDelay?: unknown } | null)?.retryDelay;
      const ms = typeof delay === 'string' ? parseProtoDurationMs(delay) : undefined;
      if (ms !== undefined) return Math.min(ms, capMs);
    }
  }
  return undefined;
}

/** A protobuf JSON Duration (`"37s"`, `"1.5s"`) in ms. */
function parseProtoDurationMs(value: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)s\s*$/.exec(value);
  return match === null ? undefined : Math.ceil(Number(match[1]) * 1000);
}

/** Error bodies are small; refuse to parse anything big (a misbehaving server's HTML page, say). */
const MAX_BODY_CHARS = 64 * 1024;

function parseJsonSafely(text: string): unknown {
  if (text.length > MAX_BODY_CHARS) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const MAX_MESSAGE_LENGTH = 200;
const MASK = '[redacted]';

/**
 * Rewrites applied in order; each removes one shape a secret takes in an error message. The
 * message keeps its words, error codes (`ECONNREFUSED`), status codes, hosts and ports: what an
 * operator needs to tell one failure from another, never what would let anyone call on our behalf.
 */
const REWRITES: ReadonlyArray<readonly [RegExp, string | ((match: string) => string)]> = [
  // JSON Web Tokens (and anything shaped like one): three base64url parts.
  [/\beyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g, MASK],
  // Provider keys with a recognisable prefix: OpenAI/Anthropic `sk-`, Stripe `sk_live_`,
  // GitHub `ghp_`/`github_pat_`, Slack `xoxb-`, AWS `AKIA…`, Google `AIza…`.
  [/\b(?:sk|pk|rk)[-_][\w-]{8,}/g, MASK],
  [/\b(?:gh[pousr]_|github_pat_)\w{10,}/g, MASK],
  [/\bxox[abposr]-[\w-]{8,}/g, MASK],
  [/\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{12,}/g, MASK],
  [/\bAIza[\w-]{20,}/g, MASK],
  // URLs with a scheme keep scheme and host only: userinfo, path, query and fragment go.
  [/\b([a-z][a-z0-9+.-]*):\/\/(?:[^\s/?#@]*@)?([^\s/?#@,;'"]+)[^\s'",;]*/gi, '$1://$2'],
  // Authorization header values.
  [/\b(bearer|basic|digest|token|apikey)\s+[\w.~+/=-]+/gi, `$1 ${MASK}`],
  // Paths (`/v1/users/42?key=x`, `C:\keys\x.pem`): where ids, queries and file names show.
  [/(^|[\s("'=[,])(?:\/(?!\/)[^\s"'),\]]*|[A-Za-z]:\\[^\s"'),\]]*)/g, '$1[path]'],
  // `name=value` anywhere (queries, connection strings, logfmt): the name stays, the value goes,
  // unless it is a short number (a status or a count).
  [/\b([\w.-]+)=(?!\d{1,3}\b)(["']?)[^\s"'&,;)]+\2/g, `$1=${MASK}`],
  // `password: x`, `"api_key": "x"`: names that only ever hold secrets, whatever the separator.
  [
    /\b(api[_-]?key|access[_-]?key|secret[_-]?key|access[_-]?token|refresh[_-]?token|id[_-]?token|token|secret|client[_-]?secret|password|passwd|pwd|credentials?|authorization|x-api-key|cookie|session|signature)(["']?\s*:\s*["']?)[^\s"',;&]+/gi,
    `$1$2${MASK}`,
  ],
  // Userinfo without a scheme (`user:pw@db:5432`) and e-mail addresses: the part before `@` goes.
  [/[^\s@/'"(<=]+@(?=[\w[])/g, `${MASK}@`],
  // `user:secret` pairs: a colon followed by something other than a port number.
  [/\b([A-Za-z][\w.-]*):(?!\d{1,5}\b)(?=[^\s:]*[A-Za-z0-9])[^\s/@:,;'")\]]+/g, `$1:${MASK}`],
  // What is left that looks like a key: long letter-and-digit runs (base64, hex, UUIDs, ids).
  [/[\w+/=-]*(?:\d[\w+/=-]*[A-Za-z]|[A-Za-z][\w+/=-]*\d)[\w+/=-]*/g, longOnly],
  // Long numbers (account, card, phone numbers).
  [/\d{9,}/g, MASK],
];

function longOnly(match: string): string {
  return match.length >= 20 ? MASK : match;
}

/**
 * Makes an error message safe to show in status, the admin endpoint, logs and telemetry: nothing
 * shaped like a URL path or query, userinfo, `key=value` pair, header value, key or token survives,
 * and the result is at most 200 characters.
 */
export function redactMessage(message: string): string {
  let cleaned = message;
  for (const [pattern, replacement] of REWRITES) {
    cleaned =
      typeof replacement === 'string'
        ? cleaned.replace(pattern, replacement)
        : cleaned.replace(pattern, replacement);
  }
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
      class: className(error.constructor?.name || error.name || 'Error'),
      message: redactMessage(String(error.message)),
    };
  }
  if (typeof error === 'object' && error !== null) {
    const name = (error as { constructor?: { name?: string } }).constructor?.name ?? 'Object';
    const message = (error as { message?: unknown }).message;
    return {
      class: className(name),
      message: typeof message === 'string' ? redactMessage(message) : '',
    };
  }
  return { class: typeof error, message: error === undefined ? '' : redactMessage(String(error)) };
}

/** A class name is code, not data; anything else in its place is cut to an identifier. */
function className(name: string): string {
  return /^[A-Za-z_$][\w$]{0,63}$/.test(name) ? name : 'Error';
}

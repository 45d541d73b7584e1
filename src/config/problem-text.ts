/**
 * How config problems show a field path and a bad value in their messages: paths as users write
 * them, values with secrets redacted.
 */

/** A config field path as users write it: `hosts["api.openai.com"].failOn.statuses[2]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$]*$/.test(segment))
      out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

const SECRET_KEYS = new Set(['token', 'password']);
const MAX_VALUE_LENGTH = 80;

/**
 * A bad value as shown in an error message. Secrets never appear: tokens are replaced by their length,
 * and URLs lose their userinfo (a Redis password), because these messages end up in logs.
 */
export function formatValue(value: unknown, path: readonly PropertyKey[] = []): string {
  const key = path[path.length - 1];
  // A number counts too: `token: ${env:T}` reads an all-digit secret as one.
  if (
    typeof key === 'string' &&
    SECRET_KEYS.has(key) &&
    (typeof value === 'string' || typeof value === 'number')
  ) {
    return `<redacted, ${String(value).length} characters>`;
  }
  // Health check headers carry credentials (`authorization: Bearer ${env:TOKEN}`).
  if (path.includes('headers')) return '<redacted header text>';
  if (typeof value === 'function') return '[function]';
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'symbol') return value.toString();
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  if (typeof value === 'number' && !Number.isFinite(value)) text = String(value);
  text = text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@"]*@/gi, '$1<redacted>@');
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
}

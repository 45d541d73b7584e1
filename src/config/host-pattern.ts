import { isIPv6Address } from './ip-address.js';

/** A validated, lower-cased host pattern. `key` is its canonical text, which is also the breaker name. */
export type HostPattern =
  | { readonly kind: 'host'; readonly key: string; readonly host: string }
  | {
      readonly kind: 'host-port';
      readonly key: string;
      readonly host: string;
      readonly port: number;
    }
  | {
      readonly kind: 'wildcard';
      readonly key: string;
      /** `.example.com` for `*.example.com`. */ readonly suffix: string;
    };

export type HostPatternResult =
  | { readonly ok: true; readonly pattern: HostPattern }
  | { readonly ok: false; readonly reason: string };

/** What a host pattern may look like, for error messages and docs. */
export const HOST_PATTERN_ALLOWED =
  '"host", "host:port" (port 1-65535), "*.domain" or "[ipv6]:port", without scheme or path';

const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** Parses and normalises one configured host pattern (case-insensitive; one trailing dot is dropped). */
export function parseHostPattern(raw: string): HostPatternResult {
  const text = raw.toLowerCase();
  if (text.includes('://'))
    return fail(`no scheme: write "${text.split('://')[1]?.split('/')[0] ?? ''}" instead`);
  if (/[/?#@\s]/.test(text)) return fail('no path, query, userinfo or spaces');
  if (text.startsWith('[')) return parseBracketed(text);
  const colon = text.lastIndexOf(':');
  if (colon !== -1 && text.indexOf(':') !== colon)
    return fail('an IPv6 address must be in brackets, e.g. "[::1]"');
  const hostPart = colon === -1 ? text : text.slice(0, colon);
  const port = colon === -1 ? undefined : parsePort(text.slice(colon + 1));
  if (port === null) return fail('the port must be an integer from 1 to 65535');
  if (hostPart.startsWith('*.')) {
    if (port !== undefined) return fail('a wildcard pattern cannot have a port');
    const domain = normalizeName(hostPart.slice(2));
    if (domain === undefined) return fail('the part after "*." must be a valid domain name');
    return ok({ kind: 'wildcard', key: `*.${domain}`, suffix: `.${domain}` });
  }
  if (hostPart.includes('*'))
    return fail('"*" is only allowed as the whole first label, as in "*.example.com"');
  const host = normalizeName(hostPart);
  if (host === undefined)
    return fail(
      'not a valid host name (labels of letters, digits, "-" and "_", up to 63 characters)',
    );
  return port === undefined
    ? ok({ kind: 'host', key: host, host })
    : ok({ kind: 'host-port', key: `${host}:${port}`, host, port });
}

/**
 * The form a request's hostname takes in pattern keys: lower case, no trailing dot, IPv6 in brackets
 * (`new URL()` gives `[::1]`, while `http.request({ hostname: '::1' })` gives it bare).
 */
export function normalizeHostname(hostname: string): string {
  let host = hostname.toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`;
  return host;
}

function parseBracketed(text: string): HostPatternResult {
  const close = text.indexOf(']');
  const address = close === -1 ? '' : text.slice(1, close);
  if (!isIPv6Address(address)) return fail('not a valid IPv6 address in brackets');
  // new URL() compresses IPv6 addresses ([0:0::1] -> [::1]); match what requests will carry.
  const host = new URL(`http://[${address}]/`).hostname;
  const rest = text.slice(close + 1);
  if (rest === '') return ok({ kind: 'host', key: host, host });
  const port = rest.startsWith(':') ? parsePort(rest.slice(1)) : null;
  if (port == null) return fail('after "]" only ":<port>" may follow, with port 1-65535');
  return ok({ kind: 'host-port', key: `${host}:${port}`, host, port });
}

function normalizeName(name: string): string | undefined {
  const host = name.endsWith('.') ? name.slice(0, -1) : name;
  if (host.length === 0 || host.length > 253) return undefined;
  return host.split('.').every((label) => LABEL.test(label)) ? host : undefined;
}

/** A port number, or null when the text is not an integer from 1 to 65535. */
function parsePort(text: string): number | null {
  if (!/^\d{1,5}$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}

function ok(pattern: HostPattern): HostPatternResult {
  return { ok: true, pattern };
}

function fail(reason: string): HostPatternResult {
  return { ok: false, reason };
}

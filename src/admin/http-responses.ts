import type { ServerResponse } from 'node:http';

/** Headers on every answer: nothing cached, nothing sniffed, nothing framed, nothing leaked. */
export const BASE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
};

/** CSP for everything but the status page: no content may load or run. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/** Machine-readable error codes of the admin endpoint (`{ "error": { "code", "message" } }`). */
export type AdminErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'mutations_disabled'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'too_many_streams'
  | 'fleet_unavailable'
  | 'internal_error';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    ...BASE_SECURITY_HEADERS,
    'content-security-policy': API_CSP,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(payload)),
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : payload);
}

export function sendError(
  res: ServerResponse,
  status: number,
  code: AdminErrorCode,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { error: { code, message } }, headers);
}

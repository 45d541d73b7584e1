import type { AdminAction } from '../admin/admin-routes.js';
import type { AdminSnapshot } from '../admin/admin-snapshot.js';
import type { AdminActionResult } from '../admin/apply-action.js';
import { envVarName } from '../config/env-vars.js';
import type { BreakerSource } from './breaker-source.js';
import { CliError, EXIT } from './exit-codes.js';

export interface AdminHttpSourceOptions {
  /** Base URL of the admin endpoint; may carry a path prefix (behind a proxy). */
  readonly url: string;
  readonly token?: string;
  readonly timeoutMs: number;
}

/** Parses `--url`; a bad value is a usage error. */
export function parseAdminUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(EXIT.USAGE, `--url must be an http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(EXIT.USAGE, `--url must be an http(s) URL, got "${raw}"`);
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url;
}

function errorMessageOf(body: unknown): string | undefined {
  if (body !== null && typeof body === 'object' && 'error' in body) {
    const error = (body as { error?: { message?: unknown } }).error;
    if (typeof error?.message === 'string') return error.message;
  }
  return undefined;
}

function causeCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if ((error as { name?: unknown })?.name === 'TimeoutError') return 'timed out';
  return typeof cause?.message === 'string' ? cause.message : String(error);
}

/** Reads and changes breakers through an app's admin endpoint. */
export class AdminHttpSource implements BreakerSource {
  readonly label: string;
  private readonly base: URL;

  constructor(private readonly options: AdminHttpSourceOptions) {
    this.base = parseAdminUrl(options.url);
    this.label = this.base.origin + this.base.pathname.replace(/\/$/, '');
  }

  list(): Promise<AdminSnapshot> {
    return this.request<AdminSnapshot>('GET', 'circuit-breakers', 'list');
  }

  act(name: string, action: AdminAction): Promise<AdminActionResult> {
    const path = `circuit-breakers/${encodeURIComponent(name)}/${action}`;
    return this.request<AdminActionResult>('POST', path, name);
  }

  async close(): Promise<void> {}

  private async request<T>(method: string, path: string, subject: string): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (method === 'POST' && this.options.token !== undefined) {
      headers.authorization = `Bearer ${this.options.token}`;
    }
    let res: Response;
    try {
      res = await fetch(new URL(path, this.base), {
        method,
        headers,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new CliError(
        EXIT.UNREACHABLE,
        `cannot reach the admin endpoint at ${this.label}: ${causeCode(error)}`,
      );
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new CliError(
        EXIT.UNREACHABLE,
        `${this.label} did not answer with JSON (HTTP ${res.status}); is it an otel-circuit-breaker admin endpoint?`,
      );
    }
    if (res.ok) return body as T;
    const detail = errorMessageOf(body) ?? `HTTP ${res.status}`;
    switch (res.status) {
      case 401:
        throw new CliError(
          EXIT.AUTH,
          this.options.token === undefined
            ? `this needs the admin token: pass --token or set ${envVarName(['admin', 'token'])}`
            : `the admin endpoint rejected the token (${detail})`,
        );
      case 403:
        throw new CliError(EXIT.AUTH, `the admin endpoint refused: ${detail}`);
      case 404:
        if (subject === 'list') {
          throw new CliError(
            EXIT.UNREACHABLE,
            `${this.label} has no /circuit-breakers; is it an otel-circuit-breaker admin endpoint?`,
          );
        }
        throw new CliError(EXIT.NOT_FOUND, `no breaker named "${subject}"`);
      case 400:
        throw new CliError(EXIT.USAGE, `bad request: ${detail}`);
      default:
        throw new CliError(
          EXIT.UNREACHABLE,
          `the admin endpoint failed: ${detail} (HTTP ${res.status})`,
        );
    }
  }
}

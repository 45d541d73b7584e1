import picocolors from 'picocolors';
import type { Colors } from 'picocolors/types.js';
import { AdminHttpSource } from './admin-http-source.js';
import type { BreakerSource } from './breaker-source.js';
import { CliError, EXIT } from './exit-codes.js';
import { createRedisSource } from './redis-source.js';

/** Env vars the CLI reads (the app's own CIRCUIT_BREAKER_ADMIN_PORT/HOST/TOKEN work too). */
export const CLI_ENV = {
  url: 'CIRCUIT_BREAKER_ADMIN_URL',
  token: 'CIRCUIT_BREAKER_ADMIN_TOKEN',
  port: 'CIRCUIT_BREAKER_ADMIN_PORT',
  host: 'CIRCUIT_BREAKER_ADMIN_HOST',
  redis: 'CIRCUIT_BREAKER_REDIS_URL',
  keyPrefix: 'CIRCUIT_BREAKER_REDIS_KEY_PREFIX',
} as const;

/** Options every command accepts (commander's parsed global options). */
export interface GlobalOptions {
  readonly url?: string;
  readonly token?: string;
  readonly redis?: string;
  /** With --redis: the apps' key prefix (else CIRCUIT_BREAKER_REDIS_KEY_PREFIX, else `cb`). */
  readonly keyPrefix?: string;
  readonly json?: boolean;
  readonly color?: boolean;
  readonly timeout: number;
}

/** What a command needs: where breakers are, how to print. */
export interface CliContext {
  readonly source: BreakerSource;
  readonly json: boolean;
  readonly colors: Colors;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

/** `--url`, else CIRCUIT_BREAKER_ADMIN_URL, else the app's CIRCUIT_BREAKER_ADMIN_PORT on loopback. */
export function adminUrlFrom(opts: GlobalOptions, env: NodeJS.ProcessEnv): string | undefined {
  if (opts.url !== undefined) return opts.url;
  const fromEnv = env[CLI_ENV.url];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const port = env[CLI_ENV.port];
  if (port === undefined || port === '' || port === '0') return undefined;
  const host = env[CLI_ENV.host];
  // An app bound to every interface is still reachable on loopback from the same machine.
  const reachable =
    host === undefined || host === '' || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

export async function createContext(
  opts: GlobalOptions,
  env: NodeJS.ProcessEnv,
): Promise<CliContext> {
  const colorEnabled = opts.color !== false && picocolors.isColorSupported;
  const base = {
    json: opts.json === true,
    colors: picocolors.createColors(colorEnabled),
    stdout: process.stdout,
    stderr: process.stderr,
  };
  if (opts.redis !== undefined) {
    const keyPrefix = opts.keyPrefix ?? (env[CLI_ENV.keyPrefix] || undefined);
    return {
      ...base,
      source: await createRedisSource(opts.redis, {
        timeoutMs: opts.timeout,
        ...(keyPrefix !== undefined ? { keyPrefix } : {}),
      }),
    };
  }
  const url = adminUrlFrom(opts, env);
  if (url === undefined) {
    throw new CliError(
      EXIT.USAGE,
      `no admin endpoint given: pass --url http://127.0.0.1:<port> or set ${CLI_ENV.url}`,
    );
  }
  const token = opts.token ?? (env[CLI_ENV.token] || undefined);
  return {
    ...base,
    source: new AdminHttpSource({
      url,
      timeoutMs: opts.timeout,
      ...(token !== undefined ? { token } : {}),
    }),
  };
}

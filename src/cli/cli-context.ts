import picocolors from 'picocolors';
import type { Colors } from 'picocolors/types.js';
import { formatProblem, isConfigError } from '../config/config-error.js';
import { ADMIN_URL_ENV_VAR, CONFIG_FILE_ENV_VAR, envVarName } from '../config/env-vars.js';
import { loadConfig } from '../config/load-config.js';
import { AdminHttpSource } from './admin-http-source.js';
import type { BreakerSource } from './breaker-source.js';
import { CliError, EXIT } from './exit-codes.js';
import { createRedisSource } from './redis-source.js';

/** Env vars the CLI reads (the app's own CIRCUIT_BREAKER_ADMIN_PORT/HOST/TOKEN work too). */
export const CLI_ENV = {
  url: ADMIN_URL_ENV_VAR,
  token: envVarName(['admin', 'token']),
  port: envVarName(['admin', 'port']),
  host: envVarName(['admin', 'host']),
  keyPrefix: envVarName(['store', 'keyPrefix']),
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

/**
 * The app's own admin settings, read from the config file it uses (CIRCUIT_BREAKER_CONFIG), so
 * `status` works from the app's directory and environment without --url.
 */
function adminFromConfig(
  env: NodeJS.ProcessEnv,
): { url?: string; token?: string; why?: string } | undefined {
  const file = env[CONFIG_FILE_ENV_VAR];
  if (file === undefined || file.trim() === '') return undefined;
  let admin;
  try {
    admin = loadConfig({ env }).admin;
  } catch (error) {
    const first = isConfigError(error) ? formatProblem(error.problems[0]!) : String(error);
    return { why: `${CONFIG_FILE_ENV_VAR} could not be read: ${first}` };
  }
  if (admin === undefined || admin.port === 0)
    return { why: `${file} (${CONFIG_FILE_ENV_VAR}) sets no fixed admin.port` };
  const url = adminUrlFrom(
    { timeout: 0 },
    { [CLI_ENV.port]: String(admin.port), [CLI_ENV.host]: admin.host },
  );
  return {
    ...(url !== undefined ? { url } : {}),
    ...(admin.token !== undefined ? { token: admin.token } : {}),
  };
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
  const fromConfig = adminUrlFrom(opts, env) === undefined ? adminFromConfig(env) : undefined;
  const url = adminUrlFrom(opts, env) ?? fromConfig?.url;
  if (url === undefined) {
    const why = fromConfig?.why === undefined ? '' : ` (${fromConfig.why})`;
    throw new CliError(
      EXIT.USAGE,
      `no admin endpoint given${why}: pass --url http://127.0.0.1:<port> or set ${CLI_ENV.url}`,
    );
  }
  const token = opts.token ?? (env[CLI_ENV.token] || undefined) ?? fromConfig?.token;
  return {
    ...base,
    source: new AdminHttpSource({
      url,
      timeoutMs: opts.timeout,
      ...(token !== undefined ? { token } : {}),
    }),
  };
}

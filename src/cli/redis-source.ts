import type { AdminAction } from '../admin/admin-routes.js';
import type { AdminSnapshot } from '../admin/admin-snapshot.js';
import type { AdminActionResult } from '../admin/apply-action.js';
import type { FleetControl } from '../fleet/fleet-control.js';
import type { BreakerSource } from './breaker-source.js';
import { STORE_DEFAULTS } from '../config/defaults.js';
import { FleetUnavailableError, RedisFleetControl } from '../fleet/redis-fleet-control.js';
import { RedisStore } from '../store/redis-store.js';
import { CliError, EXIT } from './exit-codes.js';

export interface ConnectFleetOptions {
  /** Key prefix the apps use (their CIRCUIT_BREAKER_REDIS_KEY_PREFIX). Default `cb`. */
  readonly keyPrefix?: string;
  /** How long to wait for Redis to answer, for connecting and for each command. Default 5000. */
  readonly timeoutMs?: number;
}

/** Same rule as the config's `store.url`. */
function isRedisUrl(url: string): boolean {
  return /^rediss?:\/\/./i.test(url) && URL.canParse(url);
}

/** A failure of the store becomes the CLI's "unreachable" exit code (2). */
async function orUnreachable<T>(work: () => Promise<T>, label: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof FleetUnavailableError)
      throw new CliError(EXIT.UNREACHABLE, `Redis at ${label}: ${error.message}`);
    throw error;
  }
}

/**
 * The fleet straight from Redis (`--redis <url>`): the store's own connection code and scripts,
 * under the apps' key prefix. Every change is a compare-and-set the apps apply at once through
 * pub/sub (or at their next resync). Rejects with a CliError: 1 for a bad URL, 2 when Redis does
 * not answer within the timeout.
 */
export async function connectFleet(
  redisUrl: string,
  options: ConnectFleetOptions = {},
): Promise<FleetControl & { close(): Promise<void> }> {
  if (!isRedisUrl(redisUrl))
    throw new CliError(EXIT.USAGE, '--redis expects a redis:// or rediss:// URL');
  const timeoutMs = options.timeoutMs ?? 5000;
  const label = safeLabel(redisUrl);
  const store = new RedisStore({
    url: redisUrl,
    keyPrefix: options.keyPrefix ?? STORE_DEFAULTS.keyPrefix,
    storeTimeoutMs: timeoutMs,
    connectionName: 'otel-cb-cli',
  });
  // Unlike an app's store, the CLI's connection is its work: it must keep the process alive.
  store.holdProcess(true);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const connected = await Promise.race([
    store.whenReady().then(() => store.redisVersion !== undefined),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
  ]);
  clearTimeout(timer);
  if (!connected) {
    const authRefused = store.authRefused;
    await store.close();
    throw new CliError(
      EXIT.UNREACHABLE,
      authRefused
        ? `Redis at ${label}: authentication failed (wrong or missing password or user in the URL)`
        : `Redis at ${label} did not answer within ${timeoutMs} ms`,
    );
  }
  const control = new RedisFleetControl(store);
  return {
    reset: (name) => orUnreachable(() => control.reset(name), label),
    forceOpen: (name) => orUnreachable(() => control.forceOpen(name), label),
    disable: (name) => orUnreachable(() => control.disable(name), label),
    enable: (name) => orUnreachable(() => control.enable(name), label),
    list: () => orUnreachable(() => control.list(), label),
    close: () => store.close(),
  };
}

/** `redis://host:port`: never echo a URL that might hold a password. */
function safeLabel(redisUrl: string): string {
  try {
    const u = new URL(redisUrl);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'redis';
  }
}

/** A BreakerSource over a FleetControl: every breaker is a fleet record (`fleetOnly`). */
export class FleetSource implements BreakerSource {
  constructor(
    readonly label: string,
    private readonly fleet: FleetControl & { close?(): Promise<void> },
  ) {}

  async list(): Promise<AdminSnapshot> {
    const views = await this.fleet.list();
    return {
      generatedAt: new Date().toISOString(),
      scope: 'fleet',
      breakers: [],
      fleetOnly: views,
    };
  }

  async act(name: string, action: AdminAction): Promise<AdminActionResult> {
    const before = (await this.fleet.list()).find((v) => v.name === name);
    const apply = {
      reset: () => this.fleet.reset(name),
      open: () => this.fleet.forceOpen(name),
      disable: () => this.fleet.disable(name),
      enable: () => this.fleet.enable(name),
    }[action];
    if (!(await apply())) throw new CliError(EXIT.NOT_FOUND, `no breaker named "${name}"`);
    return { name, action, scope: 'fleet', previousState: before?.state ?? null, status: null };
  }

  async close(): Promise<void> {
    await this.fleet.close?.();
  }
}

/** The source for `--redis <url>`; the label hides any password in the URL. */
export async function createRedisSource(
  redisUrl: string,
  options: ConnectFleetOptions = {},
): Promise<BreakerSource> {
  const fleet = await connectFleet(redisUrl, options);
  const prefix = options.keyPrefix ?? STORE_DEFAULTS.keyPrefix;
  return new FleetSource(`${safeLabel(redisUrl)} (key prefix ${prefix})`, fleet);
}

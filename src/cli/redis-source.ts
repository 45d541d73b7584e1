import type { AdminAction } from '../admin/admin-routes.js';
import type { AdminSnapshot } from '../admin/admin-snapshot.js';
import type { AdminActionResult } from '../admin/apply-action.js';
import type { FleetControl } from '../admin/fleet-control.js';
import type { BreakerSource } from './breaker-source.js';
import { CliError, EXIT } from './exit-codes.js';

/**
 * Builds the FleetControl the `--redis <url>` option reads and changes the fleet through.
 * TO BE FILLED by the Redis store work: connect with the store's own connection code (same key
 * prefix as the apps, `--key-prefix` if one is added) and return its FleetControl. Until then the
 * option fails with a clear message and exit code 1.
 */
export async function connectFleet(
  _redisUrl: string,
): Promise<FleetControl & { close(): Promise<void> }> {
  throw new CliError(
    EXIT.USAGE,
    "--redis is not available yet in this version; use --url with an app's admin endpoint (which shows the fleet when the app uses the Redis store)",
  );
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
export async function createRedisSource(redisUrl: string): Promise<BreakerSource> {
  const fleet = await connectFleet(redisUrl);
  let label = 'redis';
  try {
    const u = new URL(redisUrl);
    label = `${u.protocol}//${u.host}`;
  } catch {
    // keep the generic label: never echo a URL that might hold a password
  }
  return new FleetSource(label, fleet);
}

import type { AdminAction } from '../admin/admin-routes.js';
import type { AdminSnapshot } from '../admin/admin-snapshot.js';
import type { AdminActionResult } from '../admin/apply-action.js';

/**
 * Where the CLI reads and changes breakers: the admin endpoint of one app (`--url`) or the
 * shared store directly (`--redis`). Methods reject with CliError carrying the exit code.
 */
export interface BreakerSource {
  /** Shown in messages and the `watch` header, e.g. the endpoint URL (never a token or password). */
  readonly label: string;
  list(): Promise<AdminSnapshot>;
  act(name: string, action: AdminAction): Promise<AdminActionResult>;
  close(): Promise<void>;
}

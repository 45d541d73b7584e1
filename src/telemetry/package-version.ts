import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { INSTRUMENTATION_SCOPE } from '../semconv.js';

/**
 * This package's version, for the meter, tracer and logger scope. Read from package.json by walking
 * up from this file, because the file runs from src/telemetry (tests, tsx) and from
 * dist/cjs/telemetry (the published build), which sit at different depths. Never throws: telemetry
 * must not stop the app, so an unreadable package.json gives `undefined` (scope without version).
 */
export function readPackageVersion(startDir: string = __dirname): string | undefined {
  let dir = startDir;
  for (let depth = 0; depth < 6; depth++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      // Stop at our own package.json only: an app's or a workspace's must not lend its version.
      if (pkg.name === INSTRUMENTATION_SCOPE && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // No (readable) package.json here; keep walking up.
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** Read once per process. */
export const PACKAGE_VERSION: string | undefined = readPackageVersion();

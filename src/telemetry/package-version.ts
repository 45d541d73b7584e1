import { existsSync, readFileSync } from 'node:fs';
import { dirname, sep } from 'node:path';
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
    // Asked before it is read: reading a missing file costs an error with its stack trace.
    const file = `${dir}${sep}package.json`;
    const version = existsSync(file) ? ownVersionIn(file) : undefined;
    if (version !== undefined) return version;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** The version in `file` if it is our own package.json (an app's must not lend its version). */
function ownVersionIn(file: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
    if (pkg.name === INSTRUMENTATION_SCOPE && typeof pkg.version === 'string') return pkg.version;
  } catch {
    // Unreadable or not JSON: keep walking up.
  }
  return undefined;
}

/** Read once per process. */
export const PACKAGE_VERSION: string | undefined = readPackageVersion();

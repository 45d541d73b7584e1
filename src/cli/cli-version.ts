import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The package version for `--version`, read by walking up from this file: it runs from src/cli
 * (tsx) and from dist/cjs/cli (the build), at different depths.
 */
export function cliVersion(startDir: string = __dirname): string {
  let dir = startDir;
  for (let depth = 0; depth < 6; depth++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === 'otel-circuit-breaker' && typeof pkg.version === 'string')
        return pkg.version;
    } catch {
      // not here; keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return 'unknown';
}

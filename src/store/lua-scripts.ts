import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Bumped whenever any script changes, so instances of two versions in one fleet never run each
 * other's cached script under the same command name.
 */
export const SCRIPT_VERSION = 2;

/**
 * Script files, named `<name>-<numKeys>.lua` (one script per file, header lists KEYS and ARGV). A
 * line `-- @include <part>` is replaced by `include/<part>.lua`, a piece two scripts share.
 */
export const SCRIPT_FILES = {
  transition: 'transition-6.lua',
  flush: 'flush-6.lua',
  read: 'read-1.lua',
  acquirePermit: 'acquire-permit-1.lua',
  countPermits: 'count-permits-1.lua',
} as const;

export type ScriptName = keyof typeof SCRIPT_FILES;

export interface LoadedScript {
  /** ioredis command name, versioned: e.g. `cbTransitionV1`. */
  readonly command: string;
  readonly numberOfKeys: number;
  readonly lua: string;
}

// Next to this file, one way everywhere: src/store/lua when the sources run (tests, tsx), and
// dist/cjs/store/lua in the package, where scripts/build.mjs copies them.
const LUA_DIR = join(__dirname, 'lua');

let cache: Record<ScriptName, LoadedScript> | undefined;

/** Every script, read once per process. */
export function loadScripts(): Record<ScriptName, LoadedScript> {
  if (cache !== undefined) return cache;
  const dir = LUA_DIR;
  const out = {} as Record<ScriptName, LoadedScript>;
  for (const [name, file] of Object.entries(SCRIPT_FILES) as Array<[ScriptName, string]>) {
    const keys = /-(\d+)\.lua$/.exec(file);
    out[name] = {
      command: `cb${name[0]!.toUpperCase()}${name.slice(1)}V${SCRIPT_VERSION}`,
      numberOfKeys: Number(keys![1]),
      lua: withIncludes(dir, readFileSync(join(dir, file), 'utf8')),
    };
  }
  cache = out;
  return out;
}

function withIncludes(dir: string, lua: string): string {
  return lua.replace(/^-- @include ([a-z-]+)$/gm, (_, part: string) =>
    readFileSync(join(dir, 'include', `${part}.lua`), 'utf8').trimEnd(),
  );
}

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { ConfigError } from '../../src/config/config-error.js';

/** A temp dir for config files, removed after the test file. */
export function useTempDir(): { write(name: string, text: string): string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cb-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    write(name, text) {
      const file = join(dir, name);
      writeFileSync(file, text);
      return file;
    },
  };
}

/** Runs `fn`, expecting a ConfigError, and returns it. */
export function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, but the config was accepted');
}

/** Nests `value` under `path`: (['a', 'b'], 1) -> { a: { b: 1 } }; a number key makes a list. */
export function nest(path: readonly PropertyKey[], value: unknown): Record<string, unknown> {
  return path.reduceRight<unknown>((inner, key) => {
    if (typeof key !== 'number') return { [key as string]: inner };
    const list: unknown[] = [];
    list[key] = inner;
    return list;
  }, value) as Record<string, unknown>;
}

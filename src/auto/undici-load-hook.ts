import { readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

/** A file of an `undici` package folder, as a module URL (npm, pnpm and yarn layouts alike). */
const UNDICI_FILE = /\/node_modules\/undici\/([^/]+)$/;
/** What the line appended to undici's main file calls with its exports, once they are complete. */
const LOADED_KEY = Symbol.for('otel-circuit-breaker.undici-loaded');
const APPENDED = `\n;globalThis[Symbol.for(${JSON.stringify(LOADED_KEY.description)})]?.(module.exports);\n`;

let onLoad: ((moduleExports: unknown) => void) | undefined;

/**
 * Calls `patch` with the exports of every npm `undici` 6, 7 or 8 the app loads from now on, by
 * `require` or `import`. Node's in-thread module hooks (`module.registerHooks`) see each module's
 * source as it loads, not its exports: the hook appends one line to undici's main file that hands
 * `module.exports` back here, which serves CommonJS and ESM importers alike. It spares a process
 * OpenTelemetry's require and import interceptors and their look at every module loaded.
 */
export function hookUndiciLoads(patch: (moduleExports: unknown) => void): void {
  if (onLoad !== undefined) {
    onLoad = patch;
    return;
  }
  onLoad = patch;
  Object.defineProperty(globalThis, LOADED_KEY, {
    value: (moduleExports: unknown) => onLoad?.(moduleExports),
    configurable: true,
  });
  registerHooks({
    load(url, context, nextLoad) {
      const loaded = nextLoad(url, context);
      const file = UNDICI_FILE.exec(url);
      if (file === null || !url.startsWith('file:') || !isSupportedMain(url, file[1]!)) {
        return loaded;
      }
      if (loaded.format !== undefined && loaded.format !== 'commonjs') return loaded;
      // With async loader hooks also registered (`--import` of an ESM loader), Node leaves a
      // CommonJS source to its own loader (null here): read it, so the line is appended all the same.
      const source = loaded.source ?? readFileSync(fileURLToPath(url));
      return { ...loaded, source: `${source.toString()}${APPENDED}` };
    },
  });
}

/** Whether `url` is the main file of an undici whose major we patch (what `require('undici')` loads). */
function isSupportedMain(url: string, fileName: string): boolean {
  try {
    const pkg = JSON.parse(readFileSync(new URL('package.json', url), 'utf8')) as {
      name?: unknown;
      version?: unknown;
      main?: unknown;
    };
    const main = typeof pkg.main === 'string' ? pkg.main.replace(/^\.\//, '') : 'index.js';
    const major = /^(\d+)\.\d+\.\d+$/.exec(String(pkg.version))?.[1];
    return (
      pkg.name === 'undici' &&
      main === fileName &&
      major !== undefined &&
      +major >= 6 &&
      +major <= 8
    );
  } catch {
    return false;
  }
}

import { OriginCache } from '../targets/origin-cache.js';
import { attachSpanTargets, detachSpanTargets } from '../targets/span-targets.js';
import type { TargetResolver } from '../targets/target.js';
import { DispatcherPatches, findDispatcherBase } from './dispatcher-patch.js';
import {
  globalDispatcherAt,
  unwatchGlobalDispatcher,
  watchGlobalDispatcher,
} from './global-dispatcher-watch.js';

/**
 * Built-in fetch and npm undici (6, 7, 8): every copy's `DispatcherBase.prototype.dispatch` is
 * patched, so requests are decided at the dispatcher level whatever `fetch` function, dispatcher or
 * interceptor chain the caller holds (SDK clients keep the fetch they saw at creation). What the
 * caller may still notice is listed in docs/transports.md; test/equivalence checks the rest;
 * the design is in docs/design/undici-hook.md.
 */

/** Where each undici major keeps the process-wide dispatcher (6 only `.1`, 8 reads `.2`). */
const GLOBAL_DISPATCHER_KEYS = [
  Symbol.for('undici.globalDispatcher.2'),
  Symbol.for('undici.globalDispatcher.1'),
];

let origins: OriginCache | undefined;
const patches = new DispatcherPatches(() => origins);
/** npm undici copies seen by the module-load hook, kept so a later enable patches them too. */
const knownModules = new Set<object>();

/** Starts deciding undici requests with `resolve`; calling it again swaps the config. */
export function enableUndiciTransport(resolve: TargetResolver): void {
  origins = new OriginCache(resolve);
  // Dispatchers that decided under the previous config decide again at their next request.
  patches.forgetInstances();
  attachSpanTargets('undici', resolve);
  patchReachable();
}

/**
 * Patches one loaded `undici` module (CommonJS exports or an ESM namespace). The module-load hook
 * calls it for every copy; before `enableUndiciTransport` it only remembers the module.
 */
export function patchUndiciModule(moduleExports: unknown): void {
  const exports = undiciExports(moduleExports);
  if (exports === undefined) return;
  knownModules.add(exports);
  if (origins !== undefined) patchReachable();
}

/** Puts every patched `dispatch` back; requests no longer meet any of our code. */
export function disableUndiciTransport(): void {
  origins = undefined;
  detachSpanTargets('undici');
  unwatchGlobalDispatcher();
  patches.restoreAll();
}

/** Whether the patched dispatchers decide requests now (the global hook is on). */
export function undiciTransportEnabled(): boolean {
  return origins !== undefined;
}

/** How many undici prototypes are patched now (for tests and diagnostics). */
export function patchedUndiciPrototypes(): number {
  return patches.size;
}

function patchReachable(): void {
  for (const key of GLOBAL_DISPATCHER_KEYS) {
    patches.patch(findDispatcherBase(globalDispatcherAt(key)));
  }
  // Node's bundled undici is patched as it loads, on first use, rather than loaded here.
  watchGlobalDispatcher(GLOBAL_DISPATCHER_KEYS, (base) => {
    if (origins !== undefined) patches.patch(base);
  });
  for (const exports of knownModules) {
    const client = (exports as { Client?: { prototype?: unknown } }).Client;
    const proto = client?.prototype;
    if (typeof proto === 'object' && proto !== null) {
      const base = Object.getPrototypeOf(proto) as object | null;
      if (base !== null) patches.patch(base);
    }
  }
}

function undiciExports(moduleExports: unknown): object | undefined {
  if (typeof moduleExports !== 'object' || moduleExports === null) return undefined;
  if (typeof (moduleExports as { Client?: unknown }).Client === 'function') return moduleExports;
  const fallback = (moduleExports as { default?: unknown }).default;
  if (typeof fallback === 'object' && fallback !== null && 'Client' in fallback) return fallback;
  return undefined;
}

import { EventEmitter } from 'node:events';
import { findDispatcherBase } from './dispatcher-patch.js';

/**
 * Node's own undici (behind fetch, Headers, WebSocket, EventSource) loads on first use; loading it
 * only to patch it would charge its load to every process, most of which never fetch. Until some
 * undici copy has set the process-wide dispatcher, its keys hold an accessor of ours instead: the
 * copy's global.js reads the key, finds nothing and creates its global Agent at once, and the Agent's
 * construction passes through `EventEmitter.init`, where its DispatcherBase is handed over before any
 * request can reach it. A later tick would be too late: fetch dispatches within its first call.
 * The copy then defines the key itself, which replaces the accessor.
 */

type EmitterInit = (this: object, ...args: unknown[]) => unknown;
const emitters = EventEmitter as unknown as { init: EmitterInit };

let onBase: ((base: object) => void) | undefined;
const accessors = new Map<symbol, () => undefined>();
let originalInit: EmitterInit | undefined;

/** The dispatcher set under `key`, read without running an accessor (ours or anyone's). */
export function globalDispatcherAt(key: symbol): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, key);
  return descriptor !== undefined && 'value' in descriptor ? descriptor.value : undefined;
}

/**
 * Hands the DispatcherBase prototype of the first global dispatcher set under any of `keys` to
 * `found`. Keys already set are left alone (the caller patches what they hold).
 */
export function watchGlobalDispatcher(
  keys: readonly symbol[],
  found: (base: object) => void,
): void {
  onBase = found;
  for (const key of keys) {
    if (accessors.has(key) || Object.getOwnPropertyDescriptor(globalThis, key) !== undefined)
      continue;
    const get = (): undefined => {
      catchNextDispatcher();
      return undefined;
    };
    accessors.set(key, get);
    Object.defineProperty(globalThis, key, {
      configurable: true,
      enumerable: false,
      get,
      set(value: unknown) {
        // A plain assignment: the key becomes what it would have been without us.
        accessors.delete(key);
        Object.defineProperty(globalThis, key, {
          value,
          writable: true,
          enumerable: true,
          configurable: true,
        });
        const base = findDispatcherBase(value);
        if (base !== undefined) onBase?.(base);
      },
    });
  }
}

/** Removes the accessors still in place; nothing of the watch remains. */
export function unwatchGlobalDispatcher(): void {
  onBase = undefined;
  for (const [key, get] of accessors) {
    if (Object.getOwnPropertyDescriptor(globalThis, key)?.get === get)
      delete (globalThis as Record<symbol, unknown>)[key];
  }
  accessors.clear();
  restoreInit();
}

/** Watches the emitters constructed in this turn for the Agent a reader of the key is creating. */
function catchNextDispatcher(): void {
  if (originalInit !== undefined) return;
  const init = emitters.init;
  originalInit = init;
  emitters.init = function initSeeingDispatchers(this: object, ...args: unknown[]): unknown {
    const result = init.apply(this, args);
    const base = findDispatcherBase(this);
    if (base !== undefined) {
      restoreInit();
      onBase?.(base);
    }
    return result;
  };
  queueMicrotask(restoreInit);
}

function restoreInit(): void {
  if (originalInit === undefined) return;
  emitters.init = originalInit;
  originalInit = undefined;
}

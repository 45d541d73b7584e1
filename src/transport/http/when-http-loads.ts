import { registerHooks } from 'node:module';

type HttpModule = typeof import('node:http');

/** Node's modules whose loading loads `http.Agent` (https.Agent extends it). */
const AGENT_MODULES = new Set(['node:http', 'node:https', 'node:_http_agent', 'node:_http_client']);

/**
 * Whether Node may have loaded `http.Agent` already: it has, by its list of loaded internals, or
 * that list is not there to ask.
 */
function agentMayBeLoaded(): boolean {
  const loaded = (process as { moduleLoadList?: unknown }).moduleLoadList;
  return !Array.isArray(loaded) || loaded.includes('NativeModule _http_agent');
}

/**
 * Calls `onLoad` with Node's http module once it is loaded, before anyone else gets it: now, if
 * it is loaded already, else when the process first requires or imports `http` or `https` (Node's
 * module hooks) or asks `process.getBuiltinModule` for one. Until then a process that makes no
 * http requests (one that only uses `fetch`, or none) does not load http, net and streams for us:
 * 3 MiB. Returns what cancels the wait (nothing, once called).
 */
export function whenHttpLoads(onLoad: (http: HttpModule) => void): () => void {
  const originalGetBuiltinModule = process.getBuiltinModule;
  const loadNow = () => {
    onLoad(originalGetBuiltinModule('node:http'));
    return () => {};
  };
  if (agentMayBeLoaded() || typeof registerHooks !== 'function') return loadNow();
  let waiting = true;
  const stopWaiting = () => {
    waiting = false;
    if (process.getBuiltinModule === watchingGetBuiltinModule) {
      process.getBuiltinModule = originalGetBuiltinModule;
    }
    // Not from inside the hook that is running: Node is still calling the chain it belongs to.
    queueMicrotask(() => hooks.deregister?.());
  };
  const loaded = (id: string) => {
    if (!waiting || !AGENT_MODULES.has(id.startsWith('node:') ? id : `node:${id}`)) return;
    stopWaiting();
    try {
      onLoad(originalGetBuiltinModule('node:http'));
    } catch {
      // The app's require or import of http must not fail because of us; http stays unpatched.
    }
  };
  let hooks: { deregister?: () => void };
  try {
    hooks = registerHooks({
      load(url, context, nextLoad) {
        const result = nextLoad(url, context);
        loaded(url);
        return result;
      },
    });
  } catch {
    return loadNow();
  }
  const watchingGetBuiltinModule = function getBuiltinModule(id: string) {
    if (typeof id === 'string') loaded(id);
    return originalGetBuiltinModule(id);
  } as typeof process.getBuiltinModule;
  process.getBuiltinModule = watchingGetBuiltinModule;
  return () => {
    if (waiting) stopWaiting();
  };
}

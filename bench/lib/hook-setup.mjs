// The undici and http transport hooks wired into a bench client process the way CircuitBreakerInstrumentation
// wires it, without an OTel SDK, so the HTTP benches measure the hook and nothing else.
//
// Every client mode loads the library (dist/, as users get it), including `bare`: only whether the
// hook is enabled differs. Loading modules changes nothing on a request's path, but it changes the
// process's heap, and V8's young generation then sometimes settles in a mode where 25-45% of each
// scavenge survives instead of ~1% (we saw loading `@opentelemetry/sdk-node` alone, or `yaml` alone,
// do it to a process that never loads us). That costs every request GC time, bare or not; comparing
// processes with the same modules keeps it out of the ratio. `no-library` is kept for reporting.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const dist = (path) => require(`../../dist/cjs/${path}`);

/** What a client process runs as. */
export const MODES = ['no-library', 'bare', 'instrumented', 'unlisted', 'interceptor', 'composed'];

/**
 * `interceptor`: no hook; the client's own dispatcher (undici) or agent (http) guards `origin`,
 * through `circuitBreakerInterceptor` or `CircuitBreakerAgent`. Returns what `prepareClient` wraps
 * its dispatcher or agent with, and the breaker.
 */
export function clientGuard(origin, clock, passThrough = false) {
  const { BreakerRegistry, circuitBreakerInterceptor, CircuitBreakerAgent } = dist('index.js');
  void globalThis.Headers; // the same heap as the other modes (see setUpClientMode)
  const host = new URL(origin).host;
  const registry = new BreakerRegistry({ clock });
  const options = { hosts: [host], registry };
  // `composed`: the interceptor's baseline, the Agent composed with one that only passes requests on
  // (compose's own Proxy and wrapper are undici's cost, paid by any interceptor).
  const interceptor = passThrough
    ? (dispatch) => (opts, handler) => dispatch(opts, handler)
    : circuitBreakerInterceptor(options);
  return {
    breaker: passThrough ? undefined : registry.get(host),
    dispatcher: (agent) => agent.compose(interceptor),
    httpAgent: (agentOptions) => new CircuitBreakerAgent(options, agentOptions),
  };
}

/**
 * Prepares a client process. `instrumented`: the hook is on and `origin` is a configured host.
 * `unlisted`: the hook is on for another host, so requests to `origin` take the pass-through path.
 * `undici` is the npm module when the process uses it (the built-in fetch needs nothing more).
 * Returns the breaker guarding `origin` (instrumented only), or undefined.
 */
export function setUpClientMode(mode, { undici, origin, clock }) {
  if (!MODES.includes(mode)) throw new Error(`unknown client mode ${mode}; one of ${MODES}`);
  if (mode === 'no-library' || mode === 'interceptor' || mode === 'composed') return undefined;
  const { BreakerRegistry } = dist('index.js');
  // Enabling the undici transport loads Node's bundled undici (to patch its dispatcher), which a
  // process using only `http` would not otherwise load: every mode loads it, for the same heap.
  void globalThis.Headers;
  if (mode === 'bare') return undefined;
  const { resolvePolicy } = dist('core/policy.js');
  const { defaultIsFailureStatus } = dist('config/status-rule.js');
  const { createTargetResolver } = dist('transport/targets/target-resolver.js');
  const { enableUndiciTransport, patchUndiciModule } = dist('transport/undici/undici-transport.js');
  const { enableHttpTransport } = dist('transport/http/http-transport.js');
  const rule = {
    name: mode === 'unlisted' ? 'unlisted.invalid' : new URL(origin).host,
    policy: resolvePolicy({}),
    rejectWith: 'error',
    isFailureStatus: defaultIsFailureStatus,
    quotaOpenSeconds: 3600,
  };
  const registry = new BreakerRegistry({ clock });
  if (undici !== undefined) patchUndiciModule(undici);
  const resolve = createTargetResolver([rule], registry);
  enableUndiciTransport(resolve);
  enableHttpTransport(resolve);
  return mode === 'instrumented' ? registry.get(rule.name, rule.policy) : undefined;
}

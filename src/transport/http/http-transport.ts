import { OriginCache } from '../targets/origin-cache.js';
import { attachSpanTargets, detachSpanTargets } from '../targets/span-targets.js';
import type { TargetResolver } from '../targets/target.js';
import { createAddRequest } from './add-request-patch.js';
import { notInlined } from '../not-inlined.js';
import { HttpAgentTargets } from '../targets/http-agent-targets.js';
import { whenHttpLoads } from './when-http-loads.js';

/**
 * http and https: `http.Agent.prototype.addRequest` is the one point every client request with an
 * agent passes before a socket exists (see add-request-patch.ts for what that covers, and
 * docs/transports.md for what it does not). Patching the prototype, not the module's
 * `request`/`get` exports, is why ESM named imports and early-captured references are covered.
 */

type AddRequest = Parameters<typeof createAddRequest>[0];
/** `addRequest` is public Agent API in Node's docs, but missing from @types/node. */
type AgentPrototype = { addRequest: AddRequest };

let origins: HttpAgentTargets | undefined;
let patched:
  | {
      readonly agentPrototype: AgentPrototype;
      readonly original: AddRequest;
      readonly replacement: AddRequest;
    }
  | undefined;
/** Set while http is not loaded yet: the patch goes in when it loads (when-http-loads.ts). */
let cancelWait: (() => void) | undefined;

/** Starts deciding http/https requests with `resolve`; calling it again swaps the config. */
export function enableHttpTransport(resolve: TargetResolver): void {
  origins = new HttpAgentTargets(new OriginCache(resolve));
  attachSpanTargets('http', resolve);
  if (patched !== undefined || cancelWait !== undefined) return;
  const cancel = whenHttpLoads((http) => {
    cancelWait = undefined;
    const agentPrototype = (http.Agent as unknown as { prototype: AgentPrototype }).prototype;
    const original = agentPrototype.addRequest;
    const replacement = notInlined(createAddRequest(original, () => origins));
    agentPrototype.addRequest = replacement;
    patched = { agentPrototype, original, replacement };
  });
  if (patched === undefined) cancelWait = cancel;
}

/** Restores `Agent.prototype.addRequest`; requests no longer meet any of our code. */
export function disableHttpTransport(): void {
  origins = undefined;
  detachSpanTargets('http');
  cancelWait?.();
  cancelWait = undefined;
  if (patched === undefined) return;
  const { agentPrototype } = patched;
  // If someone wrapped it after us, leave their wrapper: ours is inert without `origins`.
  if (agentPrototype.addRequest === patched.replacement) {
    agentPrototype.addRequest = patched.original;
  }
  patched = undefined;
}

import { Agent } from 'node:http';
import { OriginCache } from '../origin-cache.js';
import { registerSpanTargets, unregisterSpanTargets } from '../span-targets.js';
import type { TargetResolver } from '../transport-target.js';
import { createAddRequest } from './add-request-patch.js';
import { AgentOrigins } from './agent-origins.js';

/**
 * http and https: `http.Agent.prototype.addRequest` is the one point every client request with an
 * agent passes before a socket exists (see add-request-patch.ts for what that covers, and
 * docs/transports.md for what it does not). Patching the prototype, not the module's
 * `request`/`get` exports, is why ESM named imports and early-captured references are covered.
 */

type AddRequest = Parameters<typeof createAddRequest>[0];
/** `addRequest` is public Agent API in Node's docs, but missing from @types/node. */
const agentPrototype = Agent.prototype as unknown as { addRequest: AddRequest };

let origins: AgentOrigins | undefined;
let patched: { readonly original: AddRequest; readonly replacement: AddRequest } | undefined;

/** Starts deciding http/https requests with `resolve`; calling it again swaps the config. */
export function enableHttpTransport(resolve: TargetResolver): void {
  origins = new AgentOrigins(new OriginCache(resolve));
  registerSpanTargets('http', resolve);
  if (patched !== undefined) return;
  const original = agentPrototype.addRequest;
  const replacement = createAddRequest(original, () => origins);
  agentPrototype.addRequest = replacement;
  patched = { original, replacement };
}

/** Restores `Agent.prototype.addRequest`; requests no longer meet any of our code. */
export function disableHttpTransport(): void {
  origins = undefined;
  unregisterSpanTargets('http');
  if (patched === undefined) return;
  // If someone wrapped it after us, leave their wrapper: ours is inert without `origins`.
  if (agentPrototype.addRequest === patched.replacement) {
    agentPrototype.addRequest = patched.original;
  }
  patched = undefined;
}

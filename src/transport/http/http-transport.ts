import { Agent } from 'node:http';
import { OriginCache } from '../targets/origin-cache.js';
import { attachSpanTargets, detachSpanTargets } from '../targets/span-targets.js';
import type { TargetResolver } from '../targets/target.js';
import { createAddRequest } from './add-request-patch.js';
import { notInlined } from './not-inlined.js';
import { HttpAgentTargets } from '../targets/http-agent-targets.js';

/**
 * http and https: `http.Agent.prototype.addRequest` is the one point every client request with an
 * agent passes before a socket exists (see add-request-patch.ts for what that covers, and
 * docs/transports.md for what it does not). Patching the prototype, not the module's
 * `request`/`get` exports, is why ESM named imports and early-captured references are covered.
 */

type AddRequest = Parameters<typeof createAddRequest>[0];
/** `addRequest` is public Agent API in Node's docs, but missing from @types/node. */
const agentPrototype = Agent.prototype as unknown as { addRequest: AddRequest };

let origins: HttpAgentTargets | undefined;
let patched: { readonly original: AddRequest; readonly replacement: AddRequest } | undefined;

/** Starts deciding http/https requests with `resolve`; calling it again swaps the config. */
export function enableHttpTransport(resolve: TargetResolver): void {
  origins = new HttpAgentTargets(new OriginCache(resolve));
  attachSpanTargets('http', resolve);
  if (patched !== undefined) return;
  const original = agentPrototype.addRequest;
  const replacement = notInlined(createAddRequest(original, () => origins));
  agentPrototype.addRequest = replacement;
  patched = { original, replacement };
}

/** Restores `Agent.prototype.addRequest`; requests no longer meet any of our code. */
export function disableHttpTransport(): void {
  origins = undefined;
  detachSpanTargets('http');
  if (patched === undefined) return;
  // If someone wrapped it after us, leave their wrapper: ours is inert without `origins`.
  if (agentPrototype.addRequest === patched.replacement) {
    agentPrototype.addRequest = patched.original;
  }
  patched = undefined;
}

import { Agent as HttpAgent, type AgentOptions, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions } from 'node:https';
import { OriginCache } from '../targets/origin-cache.js';
import { clientTargetResolver, type ClientBreakerOptions } from '../targets/client-targets.js';
import { HttpAgentTargets, type AgentRequestOptions } from '../targets/http-agent-targets.js';
import { createAddRequest } from './add-request-patch.js';
import { notInlined } from '../not-inlined.js';

type AddRequest = (this: HttpAgent, req: ClientRequest, options: AgentRequestOptions) => void;

/**
 * What `http.Agent#addRequest` is when a request reaches it, read then: the global hook's
 * replacement (if it is on) lets a request we decided through, as it does any decided request.
 */
const inheritedAddRequest: AddRequest = function addRequest(req, options) {
  const proto = HttpAgent.prototype as unknown as { addRequest: AddRequest };
  return proto.addRequest.call(this, req, options);
};

/** Gives `agent` its own `addRequest`: the breakers of `options` decide its requests first. */
function guard(agent: HttpAgent, label: string, options: ClientBreakerOptions): void {
  const targets = new HttpAgentTargets(new OriginCache(clientTargetResolver(label, options)));
  const addRequest = notInlined(createAddRequest(inheritedAddRequest, () => targets));
  Object.defineProperty(agent, 'addRequest', { value: addRequest, configurable: true });
}

/**
 * An `http.Agent` whose requests to the configured hosts ask a breaker before a socket is made,
 * with the same admission, outcome rules, registry and telemetry as the global hook, and no patch
 * of anything: for `http.request({ agent })`, axios `httpAgent`, got `agent.http`. A rejected
 * request fails with the `CircuitOpenError` (`code: 'ECIRCUITOPEN'`) without a socket.
 *
 * ```ts
 * const agent = new CircuitBreakerAgent({ hosts: ['api.example.com'] }, { keepAlive: true });
 * ```
 */
export class CircuitBreakerAgent extends HttpAgent {
  constructor(options: ClientBreakerOptions, agentOptions?: AgentOptions) {
    super(agentOptions);
    guard(this, 'new CircuitBreakerAgent', options);
  }
}

/** {@link CircuitBreakerAgent} for https: axios `httpsAgent`, got `agent.https`, `https.request`. */
export class CircuitBreakerHttpsAgent extends HttpsAgent {
  constructor(options: ClientBreakerOptions, agentOptions?: HttpsAgentOptions) {
    super(agentOptions);
    guard(this, 'new CircuitBreakerHttpsAgent', options);
  }
}

/** Prefix of every agent breaker's name: `registerAgentClient('researcher', …)` uses `agent:researcher`. */
export const AGENT_BREAKER_PREFIX = 'agent:';

/** The breaker name of the agent `name` (`agent:<name>`); `*` names the agent defaults' rule. */
export function agentBreakerName(name: string): string {
  return AGENT_BREAKER_PREFIX + name;
}

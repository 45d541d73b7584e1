import type { ResolvedBreakerRule } from '../config/resolved-config.js';

/** Looks up the configured rule of an agent (its `agents:` entry, or the agent defaults). */
export type AgentRuleSource = (name: string) => ResolvedBreakerRule;

const KEY = Symbol.for('otel-circuit-breaker.agent-rules');
type Holder = { [KEY]?: AgentRuleSource };

/**
 * The running instrumentation publishes its agent config here, so `registerAgentClient()` called
 * from app code under `--require otel-circuit-breaker/register` (which cannot reach the
 * instrumentation object) still gets the `agents:` settings of the config file and env.
 * Kept on globalThis: the CommonJS and ESM entry points share one process-wide source.
 */
export function setAgentRuleSource(source: AgentRuleSource | undefined): void {
  (globalThis as Holder)[KEY] = source;
}

export function configuredAgentRule(name: string): ResolvedBreakerRule | undefined {
  return (globalThis as Holder)[KEY]?.(name);
}

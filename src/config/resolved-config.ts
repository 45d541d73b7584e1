import type { BreakerPolicy } from '../core/policy.js';
import type { AdminConfig, BreakerSettings, RegistryLimits, StoreConfig } from '../types.js';

/** How an HTTP status is judged for one host, after `failOn` is applied. */
export type StatusRule = (status: number) => boolean;

/** Everything one host or agent breaker needs, fully resolved and validated. */
export interface ResolvedBreakerRule {
  /** The breaker name: the configured pattern (`api.example.com`, `db:5432`, `*.internal`) or `agent:<name>`. */
  readonly name: string;
  readonly policy: BreakerPolicy;
  readonly rejectWith: 'error' | 'response';
  /** True when a response status counts as a failure. */
  readonly isFailureStatus: StatusRule;
  readonly classify?: BreakerSettings['classify'];
  readonly quotaOpenSeconds: number;
}

/** Validated configuration: a different type from the raw input, so unvalidated config cannot reach the patches. */
export interface ResolvedConfig {
  readonly enabled: boolean;
  readonly hosts: readonly ResolvedBreakerRule[];
  readonly agents: Readonly<Record<string, ResolvedBreakerRule>>;
  /** Rule for agents without an entry of their own (defaults + preset `llm` unless set). */
  readonly agentDefaults: ResolvedBreakerRule;
  readonly store: Required<StoreConfig> | { type: 'memory' };
  readonly admin: AdminConfig | undefined;
  readonly registry: Required<RegistryLimits>;
  /** Where the config came from, for messages: file path, env vars, code. */
  readonly sources: readonly string[];
}

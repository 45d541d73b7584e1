import type { BreakerPolicy } from '../core/policy.js';
import type { BreakerSettings, RegistryLimits } from './circuit-breaker-config.js';

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
  /** The same as `policy.quotaOpenSeconds`: how long a quota-exhausted failure keeps it open. */
  readonly quotaOpenSeconds: number;
  /** Hosts only: the request that probes the host while its circuit is open, instead of user calls. */
  readonly healthCheck?: ResolvedHealthCheck;
}

/** A host's health check with every default filled in; the target comes from the host pattern. */
export interface ResolvedHealthCheck {
  readonly protocol: 'http:' | 'https:';
  /** The pattern's host (an IPv6 address without brackets). */
  readonly hostname: string;
  readonly port: number;
  readonly path: string;
  readonly method: 'GET' | 'HEAD';
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** True when a response status passes the check. */
  readonly isExpectedStatus: StatusRule;
  /** Only these are sent: never a caller's headers. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface ResolvedMemoryStoreConfig {
  readonly type: 'memory';
}

/** Redis store settings with every default filled in. Exactly one of url, clusterNodes and sentinel is set. */
export interface ResolvedRedisStoreConfig {
  readonly type: 'redis';
  /** `redis://` or `rediss://` URL; `redis://127.0.0.1:6379` when no connection was configured. */
  readonly url?: string;
  /** Redis Cluster seed nodes, `host:port`. */
  readonly clusterNodes?: readonly string[];
  readonly sentinel?: { readonly sentinels: readonly string[]; readonly name: string };
  readonly keyPrefix: string;
  readonly flushIntervalMs: number;
  readonly resyncIntervalMs: number;
  readonly storeTimeoutMs: number;
}

export type ResolvedStoreConfig = ResolvedMemoryStoreConfig | ResolvedRedisStoreConfig;

/** The admin endpoint, present only when a port is configured. */
export interface ResolvedAdminConfig {
  readonly port: number;
  /** Bind address, 127.0.0.1 by default; anything else is only accepted with a token. */
  readonly host: string;
  readonly token: string | undefined;
}

/**
 * The part of a validated configuration a library user reads (what `loadConfig` returns in the
 * public API): where it came from and what looked wrong. The rules themselves stay internal.
 */
export interface LoadedConfig {
  readonly enabled: boolean;
  /** Where the config came from, for messages: file path, env vars, code. */
  readonly sources: readonly string[];
  /** True when `register` should not print its startup summary. */
  readonly quiet: boolean;
  /** Things that are valid but probably not what the user meant (an empty config file). */
  readonly warnings: readonly string[];
}

/** Validated configuration: a different type from the raw input, so unvalidated config cannot reach the patches. */
export interface ResolvedConfig extends LoadedConfig {
  readonly hosts: readonly ResolvedBreakerRule[];
  readonly agents: Readonly<Record<string, ResolvedBreakerRule>>;
  /** Rule for agents without an entry of their own (defaults + preset `llm` unless set). */
  readonly agentDefaults: ResolvedBreakerRule;
  /** Rule for a host breaker named by code rather than by a `hosts` pattern (named `defaults`). */
  readonly hostDefaults: ResolvedBreakerRule;
  readonly store: ResolvedStoreConfig;
  readonly admin: ResolvedAdminConfig | undefined;
  readonly registry: Required<RegistryLimits>;
}

import type { BreakerPolicy, PresetName } from '../core/policy.js';
import type { Outcome } from '../core/outcome.js';

/**
 * Public configuration, as users write it in code, in `circuit-breakers.yaml`/`.json`
 * (`CIRCUIT_BREAKER_CONFIG`) or through `CIRCUIT_BREAKER_*` env vars. Precedence: code > env > file.
 * Every field is validated before anything is patched; see `circuit-breakers.example.yaml`.
 */
export interface CircuitBreakerConfig {
  /** Turns the whole library off (nothing is patched). Default true. */
  enabled?: boolean;
  /** Global default for every breaker: `enforce` (default) or `observe` (never blocks, counts what it would have). */
  mode?: BreakerPolicy['mode'];
  /** Preset every host starts from unless it names its own. Default `default`. */
  preset?: PresetName;
  /** Leaves out the one-line startup summary `register` prints to stderr. Default false. */
  quiet?: boolean;
  /** Fields applied to every host and agent breaker, on top of the preset. */
  defaults?: BreakerSettings;
  /**
   * The hosts to protect, and only those. Keys are `host`, `host:port` or `*.example.com`; a list of
   * patterns is shorthand for `{ pattern: {} }`. A breaker's name is its pattern.
   */
  hosts?: Record<string, HostSettings> | string[];
  /** Per-agent settings for `registerAgentClient(name, ...)` (breaker `agent:<name>`). */
  agents?: Record<string, BreakerSettings>;
  store?: StoreConfig;
  admin?: AdminConfig;
  registry?: RegistryLimits;
}

/** Thresholds and transport behaviour of one breaker (host, agent or defaults). All optional. */
export interface BreakerSettings extends Partial<BreakerPolicy> {
  /** Start from this preset instead of the global one. */
  preset?: PresetName;
  /**
   * What a fetch/undici caller gets while the circuit is open: `error` (default: fetch rejects with
   * TypeError whose cause is the CircuitOpenError) or `response` (a synthetic 503 with retry-after and
   * x-should-retry: false, so LLM SDKs fail at once instead of retrying). http/https always get an error.
   */
  rejectWith?: 'error' | 'response';
  /** HTTP statuses counted as failures, replacing the default (`5xx` and 429). `'5xx'`/`'4xx'` match a class. */
  failOn?: { statuses?: Array<number | '4xx' | '5xx'> };
  /** Code only: decides the outcome of a response or error; return undefined to use the default. */
  classify?: (call: CallResult) => Outcome | undefined;
}

/** A host's settings: the breaker settings, and a health check (a single host can have one). */
export interface HostSettings extends BreakerSettings {
  /**
   * Opt-in active check: while the circuit is open, the library asks the host with this request
   * (when the open time has passed, then every `intervalSeconds`) instead of letting user calls
   * probe; `successThreshold` passing checks close the circuit, a failing one re-opens it.
   */
  healthCheck?: HealthCheckConfig;
}

/** The request of a host's health check. Only `path` is required. */
export interface HealthCheckConfig {
  /** Path (and query) to request, e.g. `/healthz`. */
  path: string;
  /** Default `GET`. */
  method?: 'GET' | 'HEAD';
  /** Default `https` for a pattern without a port or with port 443, else `http`. */
  protocol?: 'http' | 'https';
  /** Seconds between checks while half-open; with Redis, one instance of the fleet checks per interval. Default 10. */
  intervalSeconds?: number;
  /** A check without response headers after this long fails. Default 2000. */
  timeoutMs?: number;
  /** Statuses that pass. Default `'2xx'`. */
  expectStatus?: number | '2xx' | '3xx' | Array<number | '2xx' | '3xx'>;
  /** Headers to send (none by default; callers' headers never are). In files, values may be `${env:NAME}`. */
  headers?: Record<string, string>;
}

/** What a transport saw of one call, given to a `classify` hook. Never contains URL paths or headers' secrets. */
export interface CallResult {
  readonly host: string;
  readonly status?: number;
  readonly error?: unknown;
  readonly durationMs: number;
}

export type StoreConfig =
  | { type: 'memory' }
  | {
      type: 'redis';
      /** redis://, rediss://, or a list of cluster nodes; `CIRCUIT_BREAKER_REDIS_URL`. */
      url?: string;
      /** Cluster seed nodes (`host:port`); makes the store use Redis Cluster. */
      clusterNodes?: readonly string[];
      /** Sentinel: `{ sentinels: ['host:port'], name: 'mymaster' }`. */
      sentinel?: { readonly sentinels: readonly string[]; readonly name: string };
      /** Prefix of every key. Default `cb`. */
      keyPrefix?: string;
      /** How often counts with failures or slow calls are flushed to Redis (successes alone: once per window bucket). Default 1000. */
      flushIntervalMs?: number;
      /** Period of the safety-net resync, which reads only breakers that changed. Default 5000. */
      resyncIntervalMs?: number;
      /** Every store call is raced against this. Default 200. */
      storeTimeoutMs?: number;
    };

export interface AdminConfig {
  /** Port of the admin HTTP endpoint; the endpoint is off unless a port is given. */
  port?: number;
  /** Bind address. Default 127.0.0.1; a non-loopback address requires a token. */
  host?: string;
  /** Bearer token required for every change (POST). */
  token?: string;
}

export interface RegistryLimits {
  /** Distinct breakers at most. Default 10,000. */
  maxBreakers?: number;
  /** Closed breakers idle this long are dropped. Default 3600. */
  idleEvictSeconds?: number;
}

import type { ResolvedConfig, ResolvedStoreConfig } from '../config/resolved-config.js';
import { CONFIG_FILE_ENV_VAR, envVarNameFor } from '../config/env-vars.js';

/** Where the breaker metrics go, as the startup line says it. */
export type MetricsDestination =
  | { readonly kind: 'prometheus'; readonly url: string }
  | { readonly kind: 'app-sdk' }
  | { readonly kind: 'exporters'; readonly names: string }
  | { readonly kind: 'none'; readonly why: string };

export interface StartupSummary {
  /** The one line `register` prints; undefined when the config asks for quiet. */
  readonly line: string | undefined;
  readonly warnings: readonly string[];
}

const HOSTS_SHOWN = 5;

/**
 * What `register` tells the user at startup: one line (version, protected hosts, mode, store,
 * metrics), plus a warning for each configuration that protects nothing while looking valid.
 */
export function startupSummary(
  config: ResolvedConfig,
  version: string,
  metrics: MetricsDestination,
): StartupSummary {
  const warnings = [...config.warnings];
  const head = `otel-circuit-breaker ${version}`;
  if (!config.enabled) {
    const line = `${head}: disabled (enabled: false, ${envVarNameFor(['enabled'])}), nothing is patched`;
    return { line: config.quiet ? undefined : line, warnings };
  }
  // Agent-only apps configure `agents:` and wrap their clients in code: nothing is missing there.
  if (config.hosts.length === 0 && Object.keys(config.agents).length === 0) {
    warnings.push(
      `no hosts configured, so no fetch, undici or http(s) call is protected (only clients wrapped with registerAgentClient are): list hosts in ${envVarNameFor(['hosts'])} or under hosts: in the file named by ${CONFIG_FILE_ENV_VAR}`,
    );
  }
  const parts = [
    `protecting ${hostsText(config)}`,
    modeText(config),
    `store ${storeText(config.store)}`,
    `metrics ${metricsText(metrics)}`,
  ];
  return { line: config.quiet ? undefined : `${head}: ${parts.join(', ')}`, warnings };
}

function hostsText(config: ResolvedConfig): string {
  const names = config.hosts.map((rule) => rule.name);
  if (names.length === 0) return '0 hosts';
  const shown = names.slice(0, HOSTS_SHOWN).join(', ');
  const more = names.length > HOSTS_SHOWN ? ` +${names.length - HOSTS_SHOWN} more` : '';
  return `${names.length} host${names.length === 1 ? '' : 's'} (${shown}${more})`;
}

function modeText(config: ResolvedConfig): string {
  const observed = config.hosts.filter((rule) => rule.policy.mode === 'observe').length;
  const enforced = config.hosts.length - observed;
  if (observed === 0)
    return `mode ${config.hosts.length > 0 ? 'enforce' : config.agentDefaults.policy.mode}`;
  if (enforced === 0) return 'mode observe (calls are measured, never blocked)';
  return `mode enforce for ${enforced}, observe for ${observed} (measured, never blocked)`;
}

/** Host and port only: a Redis URL may carry a password. */
function storeText(store: ResolvedStoreConfig): string {
  if (store.type === 'memory') return 'memory';
  if (store.clusterNodes !== undefined)
    return `redis cluster (${store.clusterNodes.length} seed nodes)`;
  if (store.sentinel !== undefined) return `redis sentinel (master "${store.sentinel.name}")`;
  try {
    const url = new URL(store.url ?? '');
    return `redis ${url.protocol === 'rediss:' ? 'rediss' : 'redis'}://${url.host}`;
  } catch {
    return 'redis';
  }
}

function metricsText(metrics: MetricsDestination): string {
  switch (metrics.kind) {
    case 'prometheus':
      return metrics.url;
    case 'app-sdk':
      return "through the app's OpenTelemetry SDK";
    case 'exporters':
      return `through OTEL_METRICS_EXPORTER=${metrics.names}`;
    case 'none':
      return `off (${metrics.why})`;
  }
}

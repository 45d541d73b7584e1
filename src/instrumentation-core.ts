import type { LoggerProvider, Meter } from '@opentelemetry/api';
import { setAgentRuleSource } from './agents/agent-rules.js';
// On first use: agent-SDK support loads with the first registerAgentClient.
import {
  checkAgentClientArgs,
  registerAgentClient,
  type RegisterAgentClientOptions,
} from './agents/register-agent-client.js';
import { agentBreakerName } from './config/agent-breaker-name.js';
import { ConfigError } from './config/config-error.js';
import { formatValue } from './config/problem-text.js';
import { argsObject, objectWith, parseCodeArgs } from './config/validate-code.js';
import { optional } from './config/validator.js';
import { object } from './config/validator-objects.js';
import { loadConfig } from './config/load-config.js';
import type { ResolvedBreakerRule, ResolvedConfig } from './config/resolved-config.js';
import { EnabledServices } from './enabled-services.js';
import type { CircuitBreakerInstrumentationConfig } from './instrumentation.js';
import { breakers, type BreakerRegistry } from './registry/breaker-registry.js';
import { startBreakerMetrics } from './telemetry/breaker-metrics.js';

/** What loadConfig does not check itself; the config fields are validated there (source `code`). */
const constructorArgs = argsObject({
  config: optional(
    object(
      { breakerRegistry: optional(objectWith(['get', 'peek'], 'a BreakerRegistry')) },
      { error: 'expected a CircuitBreakerInstrumentationConfig object', unknownKeys: 'keep' },
    ),
  ),
});

/** `env` must look like process.env. Checked by hand: a message must never echo its values. */
function checkEnv(env: unknown): void {
  if (env === undefined) return;
  const ok =
    typeof env === 'object' &&
    env !== null &&
    Object.values(env).every((v) => v === undefined || typeof v === 'string');
  if (ok) return;
  throw new ConfigError([
    {
      source: 'code (new CircuitBreakerInstrumentation)',
      path: 'config.env',
      value:
        typeof env === 'object' && env !== null
          ? 'an object with a non-string value'
          : formatValue(env),
      message: 'expected a mapping of env var name to string, like process.env',
    },
  ]);
}

/**
 * What an instrumentation of ours does whatever drives it: CircuitBreakerInstrumentation (an
 * InstrumentationBase for apps that build their own SDK) and register's own, which spares every
 * preloading process OpenTelemetry's module-load hooks. The config is loaded and validated here
 * (code > env > file): a bad value throws a ConfigError before anything is patched.
 */
export class InstrumentationCore {
  readonly resolved: ResolvedConfig;
  readonly registry: BreakerRegistry;
  private services: EnabledServices | undefined;
  private stopMetrics: (() => void) | undefined;
  private loggerProvider: LoggerProvider | undefined;

  constructor(config: CircuitBreakerInstrumentationConfig) {
    parseCodeArgs('new CircuitBreakerInstrumentation', constructorArgs, { config });
    checkEnv(config.env);
    const { breakerRegistry, env, ...code } = config;
    this.resolved = loadConfig({ code, env });
    this.registry = breakerRegistry ?? breakers;
    // The metric views are sized from these limits too, so the registry must honour the same ones.
    this.registry.setLimits(this.resolved.registry);
  }

  /** Observable instruments on `meter` (replacing those on the previous one): no per-call work. */
  useMeter(meter: Meter): void {
    this.stopMetrics?.();
    this.stopMetrics = startBreakerMetrics(this.registry, {
      meterProvider: { getMeter: () => meter },
      storeHealth: () => this.services?.storeHealth(),
    });
  }

  useLoggerProvider(provider: LoggerProvider): void {
    this.loggerProvider = provider;
    this.services?.useLoggerProvider(provider);
  }

  startServices(warn: (message: string) => void): void {
    if (this.services !== undefined) return;
    this.services = new EnabledServices(this.resolved, this.registry, warn);
    this.services.start(this.loggerProvider);
    // App code calling the exported registerAgentClient() gets this config's `agents:` settings.
    if (this.registry === breakers) setAgentRuleSource((name) => this.agentRule(name));
  }

  stopServices(): void {
    const services = this.services;
    this.services = undefined;
    if (services !== undefined && this.registry === breakers) setAgentRuleSource(undefined);
    void services?.stop();
  }

  registerAgentClient<T extends object>(
    name: string,
    client: T,
    options: Omit<RegisterAgentClientOptions, 'registry' | 'rule'>,
  ): T {
    checkAgentClientArgs(name, client, options); // before the name is used to look up its rule
    return registerAgentClient(name, client, {
      ...options,
      registry: this.registry,
      rule: this.agentRule(name),
    });
  }

  private agentRule(name: string): ResolvedBreakerRule {
    return (
      this.resolved.agents[name] ?? { ...this.resolved.agentDefaults, name: agentBreakerName(name) }
    );
  }
}

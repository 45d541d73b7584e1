import type { LoggerProvider } from '@opentelemetry/api';
import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  type InstrumentationConfig,
} from '@opentelemetry/instrumentation';
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
import { breakers, type BreakerRegistry } from './registry/breaker-registry.js';
import { INSTRUMENTATION_SCOPE } from './semconv.js';
import { startBreakerMetrics } from './telemetry/breaker-metrics.js';
import { PACKAGE_VERSION } from './telemetry/package-version.js';
import { patchUndiciModule } from './transport/undici/undici-transport.js';
import type { CircuitBreakerConfig } from './config/circuit-breaker-config.js';

export interface CircuitBreakerInstrumentationConfig
  extends InstrumentationConfig, CircuitBreakerConfig {
  /**
   * Registry the breakers live in. Default: the process-wide `breakers`. Its limits are set from
   * `registry` (maxBreakers, idleEvictSeconds) of this config.
   */
  breakerRegistry?: BreakerRegistry;
  /**
   * Env vars to read CIRCUIT_BREAKER_* settings (and CIRCUIT_BREAKER_CONFIG) from. Default
   * `process.env`; pass `{}` to configure from code only.
   */
  env?: NodeJS.ProcessEnv;
}

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

/** npm undici majors whose dispatchers we patch when they are loaded (CJS require or ESM import). */
const UNDICI_VERSIONS = ['>=6.0.0 <9'];

/**
 * The auto-instrumentation: a circuit breaker in front of every outgoing fetch/undici/http(s) call
 * to the configured hosts, its state as OTel metrics, spans and log events. Use it in your own
 * `new NodeSDK({ instrumentations: [new CircuitBreakerInstrumentation(config)] })`, with
 * `registerInstrumentations`, or through `--require otel-circuit-breaker/register`.
 *
 * The config is loaded and validated in the constructor (code > env > file): a bad value throws a
 * ConfigError before anything is patched. `disable()` takes every patch off the call paths.
 */
export class CircuitBreakerInstrumentation extends InstrumentationBase<CircuitBreakerInstrumentationConfig> {
  /** Validated config; set right after the base constructor (which may call enable() before it). @internal */
  declare readonly resolved: ResolvedConfig;
  declare readonly registry: BreakerRegistry;
  declare private services: EnabledServices | undefined;
  declare private stopMetrics: (() => void) | undefined;
  declare private loggerProvider: LoggerProvider | undefined;

  constructor(config: CircuitBreakerInstrumentationConfig = {}) {
    parseCodeArgs('new CircuitBreakerInstrumentation', constructorArgs, { config });
    checkEnv(config.env);
    const { breakerRegistry, env, ...code } = config;
    const resolved = loadConfig({ code, env });
    super(INSTRUMENTATION_SCOPE, PACKAGE_VERSION ?? '0.0.0', {
      ...config,
      enabled: resolved.enabled,
    });
    (this as { resolved: ResolvedConfig }).resolved = resolved;
    const registry = breakerRegistry ?? breakers;
    (this as { registry: BreakerRegistry }).registry = registry;
    // The metric views are sized from these limits too, so the registry must honour the same ones.
    registry.setLimits(resolved.registry);
    this.updateMetrics();
    if (this.isEnabled()) this.startServices();
  }

  protected init(): InstrumentationNodeModuleDefinition[] {
    return [
      new InstrumentationNodeModuleDefinition('undici', UNDICI_VERSIONS, (exports: unknown) => {
        patchUndiciModule(exports);
        return exports;
      }),
    ];
  }

  override enable(): void {
    super.enable();
    // The base constructor calls enable() before our fields exist; the constructor starts us then.
    if (this.resolved !== undefined) this.startServices();
  }

  override disable(): void {
    super.disable();
    const services = this.services;
    this.services = undefined;
    if (services !== undefined && this.registry === breakers) setAgentRuleSource(undefined);
    void services?.stop();
  }

  override setLoggerProvider(provider: LoggerProvider): void {
    super.setLoggerProvider(provider);
    this.loggerProvider = provider;
    this.services?.useLoggerProvider(provider);
  }

  /** Called by the base class whenever the SDK hands us a meter: observable instruments, no per-call work. */
  protected override _updateMetricInstruments(): void {
    if (this.resolved !== undefined) this.updateMetrics();
  }

  /** Wraps an SDK client so every async method runs through breaker `agent:<name>`. */
  registerAgentClient<T extends object>(
    name: string,
    client: T,
    options: Omit<RegisterAgentClientOptions, 'registry' | 'rule'> = {},
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

  private startServices(): void {
    if (this.services !== undefined) return;
    this.services = new EnabledServices(this.resolved, this.registry, (m) => this._diag.warn(m));
    this.services.start(this.loggerProvider);
    // App code calling the exported registerAgentClient() gets this config's `agents:` settings.
    if (this.registry === breakers) setAgentRuleSource((name) => this.agentRule(name));
  }

  private updateMetrics(): void {
    this.stopMetrics?.();
    const meter = this.meter;
    this.stopMetrics = startBreakerMetrics(this.registry, {
      meterProvider: { getMeter: () => meter },
      storeHealth: () => this.services?.storeHealth(),
    });
  }
}

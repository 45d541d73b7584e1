import type { LoggerProvider } from '@opentelemetry/api';
import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  type InstrumentationConfig,
} from '@opentelemetry/instrumentation';
import type { ResolvedConfig } from './config/resolved-config.js';
import type { RegisterAgentClientOptions } from './agents/register-agent-client.js';
import { InstrumentationCore } from './instrumentation-core.js';
import type { BreakerRegistry } from './registry/breaker-registry.js';
import { INSTRUMENTATION_SCOPE } from './semconv.js';
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
  declare private core: InstrumentationCore | undefined;

  constructor(config: CircuitBreakerInstrumentationConfig = {}) {
    const core = new InstrumentationCore(config);
    super(INSTRUMENTATION_SCOPE, PACKAGE_VERSION ?? '0.0.0', {
      ...config,
      enabled: core.resolved.enabled,
    });
    this.core = core;
    (this as { resolved: ResolvedConfig }).resolved = core.resolved;
    (this as { registry: BreakerRegistry }).registry = core.registry;
    core.useMeter(this.meter);
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
    if (this.core !== undefined) this.startServices();
  }

  override disable(): void {
    super.disable();
    this.core?.stopServices();
  }

  override setLoggerProvider(provider: LoggerProvider): void {
    super.setLoggerProvider(provider);
    this.core?.useLoggerProvider(provider);
  }

  /** Called by the base class whenever the SDK hands us a meter: observable instruments, no per-call work. */
  protected override _updateMetricInstruments(): void {
    this.core?.useMeter(this.meter);
  }

  /** Wraps an SDK client so every async method runs through breaker `agent:<name>`. */
  registerAgentClient<T extends object>(
    name: string,
    client: T,
    options: Omit<RegisterAgentClientOptions, 'registry' | 'rule'> = {},
  ): T {
    return this.core!.registerAgentClient(name, client, options);
  }

  private startServices(): void {
    this.core!.startServices((m) => this._diag.warn(m));
  }
}

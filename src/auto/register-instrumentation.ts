// On first use: the OpenTelemetry API loads when there are providers to read.
import {
  diag,
  logs,
  metrics,
  type DiagLogger,
  type LoggerProvider,
  type MeterProvider,
} from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { CircuitBreakerInstrumentationConfig } from '../instrumentation.js';
import { InstrumentationCore } from '../instrumentation-core.js';
import type { RegisterAgentClientOptions } from '../agents/register-agent-client.js';
import { INSTRUMENTATION_SCOPE } from '../semconv.js';
import { PACKAGE_VERSION } from '../telemetry/package-version.js';
import { globalLoggerProviderAtFirstUse } from '../telemetry/transition-logs.js';
import { patchUndiciModule } from '../transport/undici/undici-transport.js';
import { apiGlobalsRegistered } from '../telemetry/api-globals.js';
import { hookUndiciLoads } from './undici-load-hook.js';

const VERSION = PACKAGE_VERSION ?? '0.0.0';

/**
 * What `register` runs: CircuitBreakerInstrumentation's work (config, services, metrics, the
 * transport patches) behind OpenTelemetry's `Instrumentation` interface, so an SDK takes it like
 * any instrumentation, but without `InstrumentationBase`: loading that, with its require and import
 * interceptors, would cost every preloading process about as much as the rest of our start-up.
 * npm undici is hooked with Node's own module hooks instead (undici-load-hook.ts).
 */
export class RegisterInstrumentation implements Instrumentation<CircuitBreakerInstrumentationConfig> {
  readonly instrumentationName = INSTRUMENTATION_SCOPE;
  readonly instrumentationVersion = VERSION;
  private readonly core: InstrumentationCore;
  private config: CircuitBreakerInstrumentationConfig;
  private enabled = false;
  private diag: DiagLogger | undefined;

  /** Metrics start when an SDK hands over its meter provider (or useGlobalProviders reads it). */
  constructor(config: CircuitBreakerInstrumentationConfig) {
    this.core = new InstrumentationCore(config);
    this.config = { ...config, enabled: this.core.resolved.enabled };
    if (this.config.enabled === true) this.enable();
  }

  get resolved() {
    return this.core.resolved;
  }

  /**
   * The providers an SDK registered globally, as `registerInstrumentations` would hand them over.
   * With nothing registered yet, the API's meter provider is its no-op one (no instruments to make)
   * and its logger provider forwards to one registered later: read it at the first log record.
   */
  useGlobalProviders(): void {
    if (apiGlobalsRegistered()) {
      this.setMeterProvider(metrics.getMeterProvider());
      this.setLoggerProvider(logs.getLoggerProvider());
      return;
    }
    this.setLoggerProvider(globalLoggerProviderAtFirstUse());
  }

  enable(): void {
    if (this.enabled) return;
    this.enabled = true;
    hookUndiciLoads(patchUndiciModule);
    this.core.startServices((m) => {
      this.diag ??= diag.createComponentLogger({ namespace: INSTRUMENTATION_SCOPE });
      this.diag.warn(m);
    });
  }

  disable(): void {
    if (!this.enabled) return;
    this.enabled = false;
    this.core.stopServices();
  }

  isEnabled(): boolean {
    return this.enabled;
  }

  /** Our spans use the global tracer provider at the time of the call: nothing to keep. */
  setTracerProvider(): void {}

  setMeterProvider(provider: MeterProvider): void {
    this.core.useMeter(provider.getMeter(INSTRUMENTATION_SCOPE, VERSION));
  }

  setLoggerProvider(provider: LoggerProvider): void {
    this.core.useLoggerProvider(provider);
  }

  getConfig(): CircuitBreakerInstrumentationConfig {
    return this.config;
  }

  setConfig(config: CircuitBreakerInstrumentationConfig): void {
    this.config = { enabled: true, ...config };
  }

  /** Wraps an SDK client so every async method runs through breaker `agent:<name>`. */
  registerAgentClient<T extends object>(
    name: string,
    client: T,
    options: Omit<RegisterAgentClientOptions, 'registry' | 'rule'> = {},
  ): T {
    return this.core.registerAgentClient(name, client, options);
  }
}

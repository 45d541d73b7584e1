// On first use: the OpenTelemetry API loads with the first log record.
import { SeverityNumber, type Logger, type LoggerProvider } from '@opentelemetry/api';
import type { AdminServer } from './admin/index.js';
import type { CircuitBreaker } from './core/breaker.js';
import type { ResolvedConfig } from './config/resolved-config.js';
import type { BreakerRegistry } from './registry/breaker-registry.js';
import { ATTR_STORE, INSTRUMENTATION_SCOPE } from './semconv.js';
// On first use: the shared store and fleet sync load only with the Redis store.
import { createRedisStore } from './store/create-store.js';
// On first use: with the Redis store only.
import { flushOnExit } from './fleet/flush-on-exit.js';
// On first use: with the Redis store and the admin endpoint only.
import { RedisFleetControl } from './fleet/redis-fleet-control.js';
// On first use: with the Redis store only.
import { SharedStateSync } from './fleet/shared-state-sync.js';
import type { StateStore, StoreHealth, StoreLogEvent } from './store/state-store.js';
import { startTransitionSpanEvents } from './telemetry/breaker-spans.js';
import { startTransitionLogs } from './telemetry/transition-logs.js';
import { PACKAGE_VERSION } from './telemetry/package-version.js';
// On first use: only when a host has a health check.
import { HealthCheckScheduler } from './transport/health-check/health-check-scheduler.js';
import { createTargetResolver } from './transport/targets/target-resolver.js';
import { disableHttpTransport, enableHttpTransport } from './transport/http/http-transport.js';
import {
  disableUndiciTransport,
  enableUndiciTransport,
} from './transport/undici/undici-transport.js';

/**
 * The services an enabled instrumentation runs besides its module hooks: the transports, the
 * shared store, transition logs and span events, and the admin endpoint. One instance lives from
 * enable() to disable(); nothing here throws into the app.
 */
export class EnabledServices {
  private store: StateStore | undefined;
  private sync: SharedStateSync | undefined;
  private admin: Promise<AdminServer | undefined> | undefined;
  private readonly disposers: Array<() => void> = [];
  private logger: Logger | undefined;

  constructor(
    private readonly config: ResolvedConfig,
    private readonly registry: BreakerRegistry,
    private readonly warn: (message: string) => void,
  ) {}

  start(loggerProvider: LoggerProvider | undefined): void {
    // Without hosts the hooks would have nothing to decide, so nothing is patched: the store, logs
    // and admin endpoint then serve the breakers of interceptors and agents on the same registry.
    if (this.config.hosts.length > 0) {
      const resolve = createTargetResolver(this.config.hosts, this.registry);
      enableUndiciTransport(resolve);
      enableHttpTransport(resolve);
      this.disposers.push(disableUndiciTransport, disableHttpTransport);
    }
    this.useLoggerProvider(loggerProvider);
    this.disposers.push(startTransitionSpanEvents(this.registry));
    if (this.config.store.type === 'redis') {
      const store = createRedisStore(this.config.store, { log: (e) => this.logStoreEvent(e) });
      this.store = store;
      this.sync = new SharedStateSync(store, this.config.store).attach(this.registry);
      this.disposers.push(flushOnExit(this.sync, store, this.config.store.storeTimeoutMs));
    }
    // Every configured host has its breaker from the start: status, the status page and the
    // dashboards list it (0 calls) before its first call, and with Redis its fleet state is pulled
    // as soon as Redis answers, so a new instance sees a circuit the fleet has open.
    for (const rule of this.config.hosts) this.registry.get(rule.name, rule.policy);
    const sync = this.sync;
    const turn =
      sync && ((breaker: CircuitBreaker, ms: number) => sync.acquireCheckTurn(breaker, ms));
    if (this.config.hosts.some((rule) => rule.healthCheck !== undefined)) {
      const checks = new HealthCheckScheduler(this.config.hosts, this.registry, turn).start();
      this.disposers.push(() => checks.stop());
    }
    if (this.config.admin !== undefined) {
      const { port, host, token } = this.config.admin;
      // With the Redis store, the endpoint's changes go to the whole fleet.
      const fleet =
        this.store?.kind === 'redis' && this.sync !== undefined
          ? new RedisFleetControl(this.store, { sync: this.sync })
          : undefined;
      // Loaded when the endpoint is configured: its server and status page are otherwise dead weight.
      this.admin = import('./admin/index.js')
        .then(({ startAdminServer }) =>
          startAdminServer({
            registry: this.registry,
            port,
            host,
            token,
            ...(fleet !== undefined ? { fleet } : {}),
          }),
        )
        .catch((error: unknown) => {
          this.warn(`admin endpoint not started: ${(error as Error).message}`);
          return undefined;
        });
    }
  }

  /** Transition log records go to this provider (the SDK's, once it gives us one). */
  useLoggerProvider(provider: LoggerProvider | undefined): void {
    this.stopLogs?.();
    this.stopLogs = startTransitionLogs(
      this.registry,
      provider ? { loggerProvider: provider } : {},
    );
    this.logger = provider?.getLogger(INSTRUMENTATION_SCOPE, PACKAGE_VERSION);
  }

  storeHealth(): StoreHealth | undefined {
    return this.store?.health();
  }

  async stop(): Promise<void> {
    for (const dispose of this.disposers.splice(0)) dispose();
    this.stopLogs?.();
    this.stopLogs = undefined;
    this.sync?.detach();
    this.sync = undefined;
    const store = this.store;
    this.store = undefined;
    const admin = this.admin;
    this.admin = undefined;
    await Promise.allSettled([store?.close(), admin?.then((a) => a?.close())]);
  }

  private stopLogs: (() => void) | undefined;

  private logStoreEvent(event: StoreLogEvent): void {
    const available = event.event !== 'store.unavailable';
    this.logger?.emit({
      severityNumber: available ? SeverityNumber.INFO : SeverityNumber.WARN,
      severityText: available ? 'INFO' : 'WARN',
      eventName: `circuit_breaker.${event.event}`,
      body: event.message,
      // The store's own error text may name its URL: only the store kind goes out.
      attributes: { [ATTR_STORE]: event.store },
    });
    if (!available) this.warn(event.message);
  }
}

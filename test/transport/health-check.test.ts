import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { trace } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  BreakerRegistry,
  CircuitBreakerInstrumentation,
  type CircuitBreakerConfig,
  type Transition,
} from '../../src/index.js';
import {
  ATTR_HEALTH_CHECK_RESULT,
  ATTR_NAME,
  METRIC_HEALTH_CHECKS,
  SPAN_HEALTH_CHECK,
} from '../../src/semconv.js';
import {
  startInMemoryTelemetry,
  type InMemoryTelemetry,
} from '../telemetry/in-memory-telemetry.js';
import { waitFor } from '../utils/wait-for.js';

/**
 * A loopback server that remembers, per TCP connection, the path and headers of every request it
 * carried: a connection that carried anything but the health check path was a user call.
 */
class RecordingServer {
  readonly connections: Array<{ paths: string[] }> = [];
  readonly checkHeaders: IncomingMessage['headers'][] = [];
  healthStatus = 503;
  apiStatus = 500;
  private readonly server: Server;

  private constructor() {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const record = (req.socket as Socket & { record?: { paths: string[] } }).record;
      record?.paths.push(req.url ?? '');
      if (req.url === '/healthz') this.checkHeaders.push(req.headers);
      res.writeHead(req.url === '/healthz' ? this.healthStatus : this.apiStatus).end('{}');
    });
    this.server.on('connection', (socket: Socket & { record?: { paths: string[] } }) => {
      socket.record = { paths: [] };
      this.connections.push(socket.record);
    });
  }

  static async start(): Promise<RecordingServer> {
    const s = new RecordingServer();
    await new Promise<void>((r) => s.server.listen(0, '127.0.0.1', r));
    return s;
  }

  get hostPort(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Requests with `path` since connection number `from`. */
  requestsTo(path: string, from = 0): number {
    return this.connections.slice(from).flatMap((c) => c.paths.filter((p) => p === path)).length;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

let server: RecordingServer;
let telemetry: InMemoryTelemetry;
let instrumentation: CircuitBreakerInstrumentation | undefined;

beforeEach(async () => {
  server = await RecordingServer.start();
  telemetry = startInMemoryTelemetry();
  trace.setGlobalTracerProvider(telemetry.tracerProvider);
});
afterEach(async () => {
  instrumentation?.disable();
  instrumentation = undefined;
  trace.disable();
  await telemetry.shutdown();
  await server.close();
});

function start(settings: Record<string, unknown>): { registry: BreakerRegistry } {
  const registry = new BreakerRegistry();
  const config = {
    env: {},
    quiet: true,
    breakerRegistry: registry,
    hosts: {
      [server.hostPort]: {
        failureThreshold: 2,
        openSeconds: 0.3,
        jitterRatio: 0,
        successThreshold: 2,
        ...settings,
      },
    },
  } as CircuitBreakerConfig;
  instrumentation = new CircuitBreakerInstrumentation(config);
  return { registry };
}

async function call(path = '/api'): Promise<number | string> {
  try {
    const response = await fetch(`http://${server.hostPort}${path}`);
    await response.arrayBuffer();
    return response.status;
  } catch (error) {
    return ((error as Error).cause as { code?: string } | undefined)?.code ?? 'error';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('health checks', () => {
  it('close the circuit through checks alone: no user call reaches the host while it is open', async () => {
    const { registry } = start({
      healthCheck: {
        path: '/healthz',
        intervalSeconds: 0.1,
        headers: { 'x-check': 'configured' },
      },
    });
    const breaker = registry.peek(server.hostPort)!;
    const transitions: Transition[] = [];
    breaker.onTransition((t) => transitions.push(t));

    expect(await call()).toBe(500);
    expect(await call()).toBe(500);
    expect(breaker.currentState).toBe('open');
    const connectionsAtTrip = server.connections.length;
    const apiCallsAtTrip = server.requestsTo('/api');

    // Users keep calling while the host is down: every call is rejected without a connection.
    let userCalls = 0;
    const callWhileOpen = async () => {
      while (breaker.currentState !== 'closed') {
        const result = await call();
        if ((breaker.currentState as string) === 'closed') break;
        expect(result).toBe('ECIRCUITOPEN');
        userCalls++;
        await sleep(15);
      }
    };
    const users = callWhileOpen();

    // Failing checks keep it open, re-opening with the usual backoff.
    await waitFor(() => breaker.healthChecks.failed >= 2, 'two failed checks', 10_000);
    expect(breaker.currentState).not.toBe('closed');
    const reopened = transitions.filter((t) => t.to === 'open' && t.reason === 'probe_failed');
    expect(reopened.length).toBeGreaterThanOrEqual(1);
    expect(reopened[1]?.openMs ?? 600).toBeGreaterThan(reopened[0]!.openMs!); // backoff 2x

    server.healthStatus = 200;
    server.apiStatus = 200;
    await waitFor(() => breaker.currentState === 'closed', 'the circuit to close', 15_000);
    await users;

    expect(userCalls).toBeGreaterThan(0);
    expect(breaker.healthChecks.passed).toBe(2); // successThreshold
    expect(transitions.at(-1)).toMatchObject({ from: 'half_open', to: 'closed' });
    // Every connection since the trip carried health checks only.
    const since = server.connections.slice(connectionsAtTrip);
    expect(since.length).toBe(breaker.healthChecks.passed + breaker.healthChecks.failed);
    for (const c of since) expect(c.paths).toEqual(['/healthz']);
    expect(server.requestsTo('/api')).toBe(apiCallsAtTrip);
    // Only the configured headers, none of a caller's.
    expect(server.checkHeaders.every((h) => h['x-check'] === 'configured')).toBe(true);

    // Closed again: user calls go through.
    expect(await call()).toBe(200);

    const spans = telemetry.spanExporter
      .getFinishedSpans()
      .filter((s) => s.name === SPAN_HEALTH_CHECK);
    expect(spans.map((s) => s.attributes[ATTR_HEALTH_CHECK_RESULT])).toEqual([
      ...Array<string>(breaker.healthChecks.failed).fill('failed'),
      'passed',
      'passed',
    ]);
    expect(spans[0]!.attributes[ATTR_NAME]).toBe(server.hostPort);
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain('healthz');
  });

  it('a failing check keeps the circuit open; the checks are counted by result', async () => {
    const { registry } = start({
      openSeconds: 0.2,
      backoffMultiplier: 1,
      healthCheck: { path: '/healthz', intervalSeconds: 0.1, expectStatus: [204] },
    });
    const meterProvider = new MeterProvider({
      readers: [
        new PeriodicExportingMetricReader({
          exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
          exportIntervalMillis: 3_600_000,
        }),
      ],
    });
    instrumentation!.setMeterProvider(meterProvider);
    const breaker = registry.peek(server.hostPort)!;
    server.healthStatus = 200; // not the expected 204
    await call();
    await call();
    await waitFor(() => breaker.healthChecks.failed >= 3, 'three failed checks', 10_000);
    expect(breaker.healthChecks.passed).toBe(0);
    expect(['open', 'half_open']).toContain(breaker.currentState);
    expect(await call()).toBe('ECIRCUITOPEN');
    expect(server.requestsTo('/api')).toBe(2);

    const { resourceMetrics } = await meterProvider['_sharedState'].metricCollectors[0].collect();
    const metric = resourceMetrics.scopeMetrics
      .flatMap((s: { metrics: unknown[] }) => s.metrics)
      .find(
        (m: { descriptor: { name: string } }) => m.descriptor.name === METRIC_HEALTH_CHECKS,
      ) as { dataPoints: Array<{ attributes: Record<string, unknown>; value: number }> };
    const byResult = Object.fromEntries(
      metric.dataPoints.map((p) => [p.attributes[ATTR_HEALTH_CHECK_RESULT], p.value]),
    );
    expect(byResult.passed).toBe(0);
    expect(byResult.failed).toBeGreaterThanOrEqual(3);
    await meterProvider.shutdown();
  });

  it('disabling the instrumentation hands probing back to user calls', async () => {
    const { registry } = start({ healthCheck: { path: '/healthz' } });
    const breaker = registry.peek(server.hostPort)!;
    expect(breaker.healthChecks.active).toBe(true);
    instrumentation!.disable();
    expect(breaker.healthChecks.active).toBe(false);
  });
});

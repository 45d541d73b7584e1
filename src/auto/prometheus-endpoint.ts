import { createServer, type Server } from 'node:http';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { loadSdkParts } from './metrics-only-sdk.js';

export interface PrometheusEndpoint {
  readonly exporter: PrometheusExporter;
  readonly server: Server;
  /** Where a scraper finds it, for the startup line. */
  readonly url: string;
}

export const DEFAULT_PROMETHEUS_PORT = 9464;
const PORT_ENV_VAR = 'OTEL_EXPORTER_PROMETHEUS_PORT';

/**
 * The Prometheus exporter with our own HTTP server: unref'd, so an app preloading us still exits
 * when its own work is done, and a port already in use is a warning, not a crash of the app.
 */
export function startPrometheusEndpoint(
  env: NodeJS.ProcessEnv,
  warn: (message: string) => void,
): PrometheusEndpoint {
  const host = env.OTEL_EXPORTER_PROMETHEUS_HOST || undefined;
  const port = portFrom(env[PORT_ENV_VAR], warn);
  const { PrometheusExporter } = loadSdkParts();
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const server = createServer((req, res) => {
    if ((req.url ?? '/').split('?')[0] === '/metrics') {
      exporter.getMetricsRequestHandler(req, res);
      return;
    }
    res
      .writeHead(404, { 'content-type': 'text/plain' })
      .end('not found: metrics are at /metrics\n');
  });
  server.on('error', (error: NodeJS.ErrnoException) => {
    const why =
      error.code === 'EADDRINUSE'
        ? `port ${port} is already in use (another process, or another app with this library)`
        : (error.code ?? error.message);
    warn(
      `warning: Prometheus endpoint not started on ${host ?? '*'}:${port}: ${why}; set ${PORT_ENV_VAR} to a free port`,
    );
  });
  server.listen(port, host);
  server.unref();
  const shownHost = host === undefined || host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  const url =
    port === 0
      ? `on a free port (${PORT_ENV_VAR}=0)`
      : `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}/metrics`;
  return { exporter, server, url };
}

/** The port env var, or the default with a warning when it is not a port (listen would throw). */
function portFrom(text: string | undefined, warn: (message: string) => void): number {
  if (text === undefined || text.trim() === '') return DEFAULT_PROMETHEUS_PORT;
  const port = Number(text);
  if (Number.isInteger(port) && port >= 0 && port <= 65_535) return port;
  warn(
    `warning: ${PORT_ENV_VAR}=${JSON.stringify(text)} is not a port from 0 to 65535; using ${DEFAULT_PROMETHEUS_PORT}`,
  );
  return DEFAULT_PROMETHEUS_PORT;
}

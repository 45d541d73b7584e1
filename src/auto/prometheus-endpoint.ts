import { createServer, type Server } from 'node:http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';

export interface PrometheusEndpoint {
  readonly exporter: PrometheusExporter;
  readonly server: Server;
}

/**
 * The Prometheus exporter with our own HTTP server: unref'd, so an app preloading us still exits
 * when its own work is done, and a port already in use is a warning, not a crash of the app.
 */
export function startPrometheusEndpoint(
  env: NodeJS.ProcessEnv,
  warn: (message: string) => void,
): PrometheusEndpoint {
  const host = env.OTEL_EXPORTER_PROMETHEUS_HOST || undefined;
  const port = Number(env.OTEL_EXPORTER_PROMETHEUS_PORT || 9464);
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
    warn(
      `Prometheus endpoint not started on ${host ?? '*'}:${port}: ${error.code ?? error.message}`,
    );
  });
  server.listen(port, host);
  server.unref();
  return { exporter, server };
}

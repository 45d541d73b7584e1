import { createServer } from 'node:net';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, type ViewOptions } from '@opentelemetry/sdk-metrics';
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';

/** A MeterProvider whose only reader is the real Prometheus exporter, serving on a free loopback port. */
export interface PrometheusHarness {
  readonly meterProvider: MeterProvider;
  readonly url: string;
  /** GET /metrics over HTTP, as Prometheus would. */
  scrape(): Promise<string>;
  shutdown(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export async function startPrometheus(
  options: { views?: ViewOptions[] } = {},
): Promise<PrometheusHarness> {
  // The exporter treats port 0 as "use 9464", so pick a free port first; retry if someone takes it.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const exporter = new PrometheusExporter({ host: '127.0.0.1', port, preventServerStart: true });
    try {
      await exporter.startServer();
    } catch (error) {
      if (attempt >= 5) throw error;
      continue;
    }
    const meterProvider = new MeterProvider({
      // A fixed resource keeps target_info stable (the default names the node binary's path).
      resource: resourceFromAttributes({ 'service.name': 'otel-circuit-breaker-test' }),
      readers: [exporter],
      views: options.views ?? [],
    });
    const url = `http://127.0.0.1:${port}/metrics`;
    return {
      meterProvider,
      url,
      async scrape() {
        const response = await fetch(url);
        if (!response.ok) throw new Error(`scrape ${url}: HTTP ${response.status}`);
        return response.text();
      },
      shutdown: () => meterProvider.shutdown(), // also stops the exporter's server
    };
  }
}

export function parseExposition(text: string): ParsedFamily[] {
  return parsePrometheusTextFormat(text);
}

/** Samples of `family` whose labels include every pair in `labels`. */
export function samples(
  families: readonly ParsedFamily[],
  family: string,
  labels: Readonly<Record<string, string>> = {},
): { value: number; labels: Readonly<Record<string, string>> }[] {
  const f = families.find((x) => x.name === family);
  if (f === undefined) return [];
  return f.metrics
    .filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
    .map((m) => ({ value: Number(m.value), labels: m.labels ?? {} }));
}

/** The value of the one sample of `family` with exactly these labels (scope labels aside). */
export function valueOf(
  families: readonly ParsedFamily[],
  family: string,
  labels: Readonly<Record<string, string>>,
): number | undefined {
  const found = samples(families, family, labels).filter(
    (s) =>
      Object.keys(s.labels).filter((k) => !k.startsWith('otel_scope_')).length ===
      Object.keys(labels).length,
  );
  if (found.length > 1)
    throw new Error(`${family} ${JSON.stringify(labels)}: ${found.length} samples`);
  return found[0]?.value;
}

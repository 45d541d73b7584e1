// An app that starts its own OpenTelemetry SDK (no `--require otel-circuit-breaker/register`):
// it adds CircuitBreakerInstrumentation to its instrumentations and exports metrics with its own
// PrometheusExporter. Run with `node app.mjs`.
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { CircuitBreakerInstrumentation } from 'otel-circuit-breaker';

const upstream = new URL(process.env.UPSTREAM_URL);
const metricsPort = Number(process.env.OTEL_EXPORTER_PROMETHEUS_PORT ?? 9464);

const sdk = new NodeSDK({
  serviceName: 'own-sdk-example',
  instrumentations: [
    // Config from code (merged over CIRCUIT_BREAKER_* env vars and a CIRCUIT_BREAKER_CONFIG file,
    // code wins). Only this host is protected.
    new CircuitBreakerInstrumentation({
      hosts: { [upstream.host]: { failureThreshold: 3, openSeconds: 30 } },
    }),
  ],
  metricReaders: [new PrometheusExporter({ host: '127.0.0.1', port: metricsPort })],
});
sdk.start();

// Five calls to a service that answers 503: three failures open the circuit, the last two are
// rejected in the process without a request.
for (let i = 1; i <= 5; i++) {
  try {
    const res = await fetch(`${upstream.origin}/inventory`);
    await res.arrayBuffer();
    console.log(`call ${i}: ${res.status} from the service`);
  } catch (err) {
    console.log(
      `call ${i}: ${err.cause?.code === 'ECIRCUITOPEN' ? 'rejected, circuit open' : err}`,
    );
  }
}

// What our own exporter serves (the instrumentation's metrics go through the app's SDK).
const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
// If the port was taken, our exporter did not start and someone else answered: say so and fail.
if (!text.includes(`process_pid="${process.pid}"`)) {
  console.log(`the metrics on port ${metricsPort} are not ours: set OTEL_EXPORTER_PROMETHEUS_PORT`);
  process.exit(1);
}
console.log(
  `\nour PrometheusExporter at http://127.0.0.1:${metricsPort}/metrics (non-zero breaker series):`,
);
for (const line of text.split('\n')) {
  if (/^circuit_breaker_(state|calls_total|transitions_total)\{/.test(line) && !/ 0$/.test(line)) {
    console.log(`  ${line.replace(/,?otel_scope_(name|version)="[^"]*"/g, '')}`);
  }
}
await sdk.shutdown();

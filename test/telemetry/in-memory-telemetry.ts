import { context } from '@opentelemetry/api';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  StackContextManager,
  TracerProvider,
} from '@opentelemetry/sdk-trace';

export interface InMemoryTelemetry {
  readonly logExporter: InMemoryLogRecordExporter;
  readonly loggerProvider: LoggerProvider;
  readonly spanExporter: InMemorySpanExporter;
  readonly tracerProvider: TracerProvider;
  /** Shuts both providers down and disables the context manager it enabled. */
  shutdown(): Promise<void>;
}

/** The real SDK's log and span pipelines into in-memory exporters, with a global context manager. */
export function startInMemoryTelemetry(): InMemoryTelemetry {
  const logExporter = new InMemoryLogRecordExporter();
  const loggerProvider = new LoggerProvider({
    processors: [new SimpleLogRecordProcessor({ exporter: logExporter })],
  });
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter: spanExporter })],
  });
  context.setGlobalContextManager(new StackContextManager().enable());
  return {
    logExporter,
    loggerProvider,
    spanExporter,
    tracerProvider,
    async shutdown() {
      context.disable();
      await Promise.all([loggerProvider.shutdown(), tracerProvider.shutdown()]);
    },
  };
}

// Auto-instrumentation entry point (`node --require otel-circuit-breaker/register`).
// Reserved: the auto-instrumentation lands with the transports; until then it loads the library only.
import './index.js';

import { context, SpanKind, SpanStatusCode, trace, ROOT_CONTEXT } from '@opentelemetry/api';
import type { ResolvedHealthCheck } from '../../config/resolved-config.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_HEALTH_CHECK_RESULT,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_NAME,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  SPAN_HEALTH_CHECK,
  type HealthCheckResult,
} from '../../semconv.js';
import { breakerTracer } from '../../telemetry/breaker-spans.js';
import type { CheckAnswer } from './check-request.js';

const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';

/**
 * Runs one check under its own root span (a check belongs to no user request): breaker name,
 * method, host and port, the status and the result; never the path, query or header values.
 */
export async function withCheckSpan(
  name: string,
  check: ResolvedHealthCheck,
  send: () => Promise<CheckAnswer>,
  judge: (answer: CheckAnswer) => HealthCheckResult,
): Promise<HealthCheckResult> {
  const span = breakerTracer().startSpan(
    SPAN_HEALTH_CHECK,
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        [ATTR_NAME]: name,
        [ATTR_HTTP_REQUEST_METHOD]: check.method,
        [ATTR_SERVER_ADDRESS]: check.hostname,
        [ATTR_SERVER_PORT]: check.port,
      },
    },
    ROOT_CONTEXT,
  );
  const answer = await context.with(trace.setSpan(ROOT_CONTEXT, span), send);
  const result = judge(answer);
  span.setAttribute(ATTR_HEALTH_CHECK_RESULT, result);
  if (answer.status !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, answer.status);
  if (answer.error !== undefined) span.setAttribute(ATTR_ERROR_TYPE, errorType(answer.error));
  if (result === 'failed') {
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message:
        answer.error === undefined ? `unexpected status ${answer.status}` : errorType(answer.error),
    });
  }
  span.end();
  return result;
}

/** `ECONNREFUSED` and the like when Node gives a code, else the error's class name. */
function errorType(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error.name;
}

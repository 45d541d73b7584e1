import {
  logs,
  SeverityNumber,
  type Attributes,
  type Logger,
  type LoggerProvider,
} from '@opentelemetry/api';
import type { CircuitBreaker } from '../core/breaker.js';
import { summarizeError } from '../core/redact.js';
import type { Transition } from '../core/transition.js';
import type { BreakerRegistry } from '../registry/breaker-registry.js';
import {
  ATTR_FAILURE_KIND,
  ATTR_FROM,
  ATTR_NAME,
  ATTR_REASON,
  ATTR_TO,
  EVENT_TRANSITION,
  INSTRUMENTATION_SCOPE,
} from '../semconv.js';
import { PACKAGE_VERSION } from './package-version.js';
import {
  ATTR_CONSECUTIVE_FAILURES,
  ATTR_ERROR_TYPE,
  ATTR_FAILURE_RATE,
  ATTR_RETRY_AFTER_MS,
  ATTR_SLOW_CALL_RATE,
} from '../semconv.js';
import { describeTransition } from './transition-text.js';

export interface TransitionLogsOptions {
  /** Default: the global logger provider (the API proxies it, so starting early is fine). */
  readonly loggerProvider?: LoggerProvider;
}

/**
 * Emits one OTel log record per state change of any breaker in `registry`: WARN when a circuit
 * opens (or is forced open), INFO otherwise, with a readable body and the numbers behind it.
 * Returns a function that stops it.
 */
export function startTransitionLogs(
  registry: BreakerRegistry,
  options: TransitionLogsOptions = {},
): () => void {
  const provider = options.loggerProvider ?? logs.getLoggerProvider();
  const logger = provider.getLogger(INSTRUMENTATION_SCOPE, PACKAGE_VERSION);
  return registry.onTransition((transition) =>
    emitTransitionLog(logger, transition, registry.peek(transition.name)),
  );
}

/** One transition as a log record; exported for breakers that live outside a registry. */
export function emitTransitionLog(
  logger: Logger,
  transition: Transition,
  breaker: CircuitBreaker | undefined,
): void {
  const opening = transition.to === 'open' || transition.to === 'forced_open';
  logger.emit({
    eventName: EVENT_TRANSITION,
    timestamp: transition.at,
    severityNumber: opening ? SeverityNumber.WARN : SeverityNumber.INFO,
    severityText: opening ? 'WARN' : 'INFO',
    body: describeTransition(transition, breaker),
    attributes: transitionAttributes(transition, breaker),
  });
}

function transitionAttributes(
  transition: Transition,
  breaker: CircuitBreaker | undefined,
): Attributes {
  const attributes: Attributes = {
    [ATTR_NAME]: transition.name,
    [ATTR_FROM]: transition.from,
    [ATTR_TO]: transition.to,
    [ATTR_REASON]: transition.reason,
  };
  if (transition.openMs !== undefined)
    attributes[ATTR_RETRY_AFTER_MS] = Math.round(transition.openMs);
  if (breaker === undefined) return attributes;
  // Read, not advanced: the window holds exactly the calls that led here (a close clears it first).
  attributes[ATTR_CONSECUTIVE_FAILURES] = breaker.consecutiveFailures;
  attributes[ATTR_FAILURE_RATE] = breaker.window.failureRate();
  attributes[ATTR_SLOW_CALL_RATE] = breaker.window.slowCallRate();
  if (transition.to === 'open' && breaker.lastErrorAt !== undefined) {
    // Kind and class of the failure that tripped it: bounded values, never the message.
    attributes[ATTR_FAILURE_KIND] = breaker.lastFailureKind ?? 'error';
    attributes[ATTR_ERROR_TYPE] = summarizeError(breaker.lastError).class;
  }
  return attributes;
}

// On first use: the OpenTelemetry API loads with the first transition log.
import {
  logs,
  type Attributes,
  type Logger,
  type LoggerProvider,
  type SeverityNumber,
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
import { apiGlobalsRegistered } from './api-globals.js';
import { PACKAGE_VERSION } from './package-version.js';
import {
  ATTR_CONSECUTIVE_FAILURES,
  ATTR_ERROR_TYPE,
  ATTR_FAILURE_RATE,
  ATTR_RETRY_AFTER_MS,
  ATTR_SLOW_CALL_RATE,
} from '../semconv.js';
import { describeTransition } from './transition-text.js';

/**
 * SeverityNumber.INFO and WARN, numbers fixed by the OpenTelemetry log data model: reading the
 * API's enum for them would load the API at a transition that has nowhere to log.
 */
export const SEVERITY_INFO = 9 as SeverityNumber;
export const SEVERITY_WARN = 13 as SeverityNumber;

export interface TransitionLogsOptions {
  /** Default: the global logger provider, read at the first record (the API proxies it anyway). */
  readonly loggerProvider?: LoggerProvider;
}

/**
 * The API's global logger provider, read (and the API loaded) when a logger of it is first used
 * with something registered with the API: until then its loggers are no-ops, and a process that
 * registers nothing, or whose breakers never change state, never loads the API for its logs.
 */
export function globalLoggerProviderAtFirstUse(): LoggerProvider {
  return {
    getLogger(name, version, options) {
      let logger: Logger | undefined;
      const real = () => {
        if (logger === undefined && !apiGlobalsRegistered()) return undefined;
        return (logger ??= logs.getLoggerProvider().getLogger(name, version, options));
      };
      return {
        emit: (record) => real()?.emit(record),
        enabled: (query) => real()?.enabled(query) ?? false,
      };
    },
  };
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
  const provider = options.loggerProvider ?? globalLoggerProviderAtFirstUse();
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
    severityNumber: opening ? SEVERITY_WARN : SEVERITY_INFO,
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

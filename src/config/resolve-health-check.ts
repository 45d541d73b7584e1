import type { ConfigProblem } from './config-error.js';
import { HEALTH_CHECK_DEFAULTS } from './health-check-fields.js';
import { parseHostPattern } from './host-pattern.js';
import { formatPath, formatValue } from './problem-text.js';
import type { ResolvedHealthCheck } from './resolved-config.js';
import type { RawHealthCheck } from './schema.js';
import { statusSetRule } from './status-rule.js';

/**
 * The health check of host pattern `pattern` with every default filled in, or a problem: a wildcard
 * pattern names no single host to ask.
 */
export function resolveHealthCheck(
  pattern: string,
  check: RawHealthCheck,
  origin: string | undefined,
): ResolvedHealthCheck | ConfigProblem {
  const parsed = parseHostPattern(pattern);
  if (!parsed.ok || parsed.pattern.kind === 'wildcard') {
    return {
      source: origin ?? 'config',
      path: formatPath(['hosts', pattern, 'healthCheck']),
      value: formatValue(pattern),
      message:
        'expected a health check under a "host" or "host:port" pattern (a wildcard names no single host to ask)',
    };
  }
  const { host } = parsed.pattern;
  const port = parsed.pattern.kind === 'host-port' ? parsed.pattern.port : undefined;
  const protocol = check.protocol ?? (port === undefined || port === 443 ? 'https' : 'http');
  return Object.freeze({
    protocol: protocol === 'https' ? 'https:' : 'http:',
    // http.request wants an IPv6 address without its brackets.
    hostname: host.startsWith('[') ? host.slice(1, -1) : host,
    port: port ?? (protocol === 'https' ? 443 : 80),
    path: check.path,
    method: check.method ?? HEALTH_CHECK_DEFAULTS.method,
    intervalMs: Math.round((check.intervalSeconds ?? HEALTH_CHECK_DEFAULTS.intervalSeconds) * 1000),
    timeoutMs: check.timeoutMs ?? HEALTH_CHECK_DEFAULTS.timeoutMs,
    isExpectedStatus: statusSetRule(check.expectStatus ?? HEALTH_CHECK_DEFAULTS.expectStatus),
    headers: Object.freeze({ ...check.headers }),
  } satisfies ResolvedHealthCheck);
}

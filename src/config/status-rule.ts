import type { StatusRule } from './resolved-config.js';

/** The default: 5xx and 429 are failures; every other status means the host answered and is healthy. */
export const defaultIsFailureStatus: StatusRule = (status) => status >= 500 || status === 429;

/**
 * The status rule for a `failOn.statuses` list (which replaces the default). A lookup table, because
 * this runs once per response on the hot path.
 */
export function statusRuleFor(
  statuses: ReadonlyArray<number | '4xx' | '5xx'> | undefined,
): StatusRule {
  if (statuses === undefined) return defaultIsFailureStatus;
  const failing = new Uint8Array(600);
  for (const entry of statuses) {
    if (entry === '4xx') failing.fill(1, 400, 500);
    else if (entry === '5xx') failing.fill(1, 500, 600);
    else failing[entry] = 1;
  }
  return (status) => failing[status] === 1;
}

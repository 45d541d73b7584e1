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
  return statuses === undefined ? defaultIsFailureStatus : statusSetRule(statuses);
}

/** True for the listed statuses and status classes (`'2xx'` is 200-299). */
export function statusSetRule(
  statuses: ReadonlyArray<number | `${1 | 2 | 3 | 4 | 5}xx`>,
): StatusRule {
  const listed = new Uint8Array(600);
  for (const entry of statuses) {
    if (typeof entry === 'number') listed[entry] = 1;
    else listed.fill(1, Number(entry[0]) * 100, Number(entry[0]) * 100 + 100);
  }
  return (status) => listed[status] === 1;
}

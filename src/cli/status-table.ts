import type { Colors } from 'picocolors/types.js';
import type { AdminSnapshot } from '../admin/admin-snapshot.js';
import type { FleetBreakerView } from '../fleet/fleet-control.js';
import type { BreakerStateName } from '../core/state-names.js';
import { terminalSafe, truncate } from './terminal-text.js';

/** One printable row, for a local breaker or a fleet-only record. */
export interface StatusRow {
  readonly name: string;
  readonly state: BreakerStateName;
  /** Fleet state when it differs from the local one. */
  readonly fleetState?: BreakerStateName;
  readonly failureRate: number | null;
  readonly slowCallRate: number | null;
  readonly callsInWindow: number | null;
  readonly openCount: number | null;
  readonly secondsUntilRecovery: number | null;
  readonly lastError: string | null;
}

function fleetRow(v: FleetBreakerView): StatusRow {
  return {
    name: v.name,
    state: v.state,
    failureRate:
      v.callsInWindow !== undefined && v.callsInWindow > 0 && v.failuresInWindow !== undefined
        ? v.failuresInWindow / v.callsInWindow
        : null,
    slowCallRate: null,
    callsInWindow: v.callsInWindow ?? null,
    openCount: null,
    secondsUntilRecovery:
      v.state === 'open' && v.openRemainingMs !== undefined ? v.openRemainingMs / 1000 : null,
    lastError: null,
  };
}

/** Rows of a snapshot in the endpoint's order (open first), fleet-only records last. */
export function rowsOf(snapshot: AdminSnapshot): StatusRow[] {
  const local = snapshot.breakers.map((b): StatusRow => ({
    name: b.name,
    state: b.state,
    ...(b.fleet !== undefined && b.fleet.state !== b.state ? { fleetState: b.fleet.state } : {}),
    failureRate: b.failureRate,
    slowCallRate: b.slowCallRate,
    callsInWindow: b.callsInWindow,
    openCount: b.openCount,
    secondsUntilRecovery: b.secondsUntilRecovery,
    lastError: b.lastError === null ? null : `${b.lastError.kind}: ${b.lastError.message}`,
  }));
  return [...local, ...snapshot.fleetOnly.map(fleetRow)];
}

/** True when a row rejects calls (what `status --fail-on-open` looks for). */
export function isOpen(row: StatusRow): boolean {
  const open = (s: BreakerStateName | undefined): boolean => s === 'open' || s === 'forced_open';
  return open(row.state) || open(row.fleetState);
}

export function stateColour(colors: Colors, state: BreakerStateName): (text: string) => string {
  switch (state) {
    case 'closed':
      return colors.green;
    case 'half_open':
      return colors.yellow;
    case 'open':
      return (t) => colors.bold(colors.red(t));
    case 'forced_open':
      return (t) => colors.bold(colors.magenta(t));
    case 'disabled':
      return colors.gray;
  }
}

const pct = (x: number | null): string => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
const int = (x: number | null): string => (x === null ? '-' : String(x));

function recovery(row: StatusRow): string {
  if (row.secondsUntilRecovery !== null) {
    return row.secondsUntilRecovery > 0 ? `${row.secondsUntilRecovery.toFixed(1)}s` : 'probing';
  }
  return row.state === 'forced_open' || row.state === 'disabled' ? 'manual' : '-';
}

const HEADERS = [
  'NAME',
  'STATE',
  'FAIL',
  'SLOW',
  'CALLS',
  'OPENS',
  'RECOVERY',
  'LAST ERROR',
] as const;
const RIGHT_ALIGNED = new Set([2, 3, 4, 5, 6]);

/**
 * Renders rows as an aligned table, one string per line (no trailing newline). Widths are
 * measured before colouring, so escape codes never break the alignment.
 */
export function renderTable(rows: readonly StatusRow[], colors: Colors, maxWidth = 160): string[] {
  const cells = rows.map((r) => [
    truncate(terminalSafe(r.name), 60),
    r.state + (r.fleetState !== undefined ? ` (fleet: ${r.fleetState})` : ''),
    pct(r.failureRate),
    pct(r.slowCallRate),
    int(r.callsInWindow),
    int(r.openCount),
    recovery(r),
    r.lastError === null ? '' : terminalSafe(r.lastError),
  ]);
  const widths = HEADERS.map((h, i) =>
    Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)),
  );
  const fixed = widths.slice(0, -1).reduce((a, w) => a + w + 2, 0);
  const errWidth = Math.max(10, maxWidth - fixed);
  const line = (values: readonly string[], paint: (i: number, padded: string) => string): string =>
    values
      .map((v, i) => {
        if (i === values.length - 1) return paint(i, truncate(v, errWidth));
        const w = widths[i] ?? 0;
        return paint(i, RIGHT_ALIGNED.has(i) ? v.padStart(w) : v.padEnd(w));
      })
      .join('  ')
      .trimEnd();
  const out = [line(HEADERS, (_i, p) => colors.dim(p))];
  rows.forEach((row, r) => {
    const colour = stateColour(colors, row.state);
    out.push(line(cells[r] ?? [], (i, p) => (i === 1 ? colour(p) : i === 7 ? colors.dim(p) : p)));
  });
  return out;
}

/** One line per breaker for logs and pipes: `name state fail=… calls=… opens=… recovery=…`. */
export function renderPlainLines(rows: readonly StatusRow[], at: string): string[] {
  return rows.map((r) =>
    [
      at,
      terminalSafe(r.name),
      r.state + (r.fleetState !== undefined ? `(fleet:${r.fleetState})` : ''),
      `fail=${pct(r.failureRate)}`,
      `calls=${int(r.callsInWindow)}`,
      `opens=${int(r.openCount)}`,
      `recovery=${recovery(r)}`,
    ].join(' '),
  );
}

/** `3 breakers, 1 open` (+ fleet note). */
export function summaryLine(snapshot: AdminSnapshot, rows: readonly StatusRow[]): string {
  const open = rows.filter(isOpen).length;
  const n = rows.length;
  return (
    `${n} breaker${n === 1 ? '' : 's'}, ${open} open` +
    (snapshot.scope === 'fleet' ? ' (fleet-wide)' : '') +
    (snapshot.fleetError !== undefined ? ` - ${snapshot.fleetError}` : '')
  );
}

import type { AdminAction } from '../admin/admin-routes.js';
import type { CliContext } from './cli-context.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { isOpen, renderTable, rowsOf, summaryLine } from './status-table.js';
import { terminalSafe } from './terminal-text.js';

export interface StatusOptions {
  /** Exit with BREAKER_OPEN (5) when any breaker is open or forced open. */
  readonly failOnOpen?: boolean;
}

/** `status`: one table (or the snapshot as JSON) of every breaker. */
export async function statusCommand(ctx: CliContext, options: StatusOptions): Promise<ExitCode> {
  const snapshot = await ctx.source.list();
  const rows = rowsOf(snapshot);
  if (ctx.json) {
    ctx.stdout.write(`${JSON.stringify(snapshot, null, 2)}\n`);
  } else {
    const width = ctx.stdout.isTTY ? ctx.stdout.columns : 160;
    const lines = rows.length === 0 ? [] : renderTable(rows, ctx.colors, width);
    lines.push(ctx.colors.dim(`${summaryLine(snapshot, rows)} - ${ctx.source.label}`));
    ctx.stdout.write(`${lines.join('\n')}\n`);
  }
  return options.failOnOpen === true && rows.some(isOpen) ? EXIT.BREAKER_OPEN : EXIT.OK;
}

const PAST: Record<AdminAction, string> = {
  reset: 'reset',
  open: 'forced open',
  disable: 'disabled',
  enable: 'enabled',
};

/** `reset|open|disable|enable <name>`: one change through the endpoint (needs the token). */
export async function actionCommand(
  ctx: CliContext,
  name: string,
  action: AdminAction,
): Promise<ExitCode> {
  const result = await ctx.source.act(name, action);
  if (ctx.json) {
    ctx.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return EXIT.OK;
  }
  const after = result.status?.state;
  const change =
    result.previousState !== null && after !== undefined
      ? `: ${result.previousState} -> ${after}`
      : '';
  const scope = result.scope === 'fleet' ? ' (whole fleet)' : '';
  ctx.stdout.write(`${terminalSafe(name)} ${PAST[action]}${change}${scope}\n`);
  return EXIT.OK;
}

import type { CliContext } from './cli-context.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { stopSignal } from './process-lifetime.js';
import { renderPlainLines, renderTable, rowsOf, summaryLine } from './status-table.js';

export interface WatchOptions {
  /** Milliseconds between refreshes. */
  readonly intervalMs: number;
  /** Stop after this many refreshes; forever when undefined. */
  readonly count?: number;
}

const ESC = '\u001b[';
const HIDE_CURSOR = `${ESC}?25l`;
const SHOW_CURSOR = `${ESC}?25h`;
const HOME = `${ESC}H`;
const CLEAR_SCREEN = `${ESC}2J`;
const CLEAR_LINE_END = `${ESC}K`;
const CLEAR_BELOW = `${ESC}J`;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/**
 * `watch`: refreshes every `intervalMs`. On a TTY it redraws a coloured table in place; otherwise
 * it prints one plain line per breaker per refresh (NDJSON snapshots with --json). Ends on
 * SIGINT, SIGTERM, SIGHUP or when its parent process goes away (exit 0), or after `count`
 * refreshes; exits 2 if the last refresh could not reach the endpoint.
 */
export async function watchCommand(ctx: CliContext, options: WatchOptions): Promise<ExitCode> {
  const tty = ctx.stdout.isTTY === true && !ctx.json;
  const stop = stopSignal();
  let lastCode: ExitCode = EXIT.OK;
  if (tty) ctx.stdout.write(HIDE_CURSOR + CLEAR_SCREEN);
  try {
    for (let i = 0; options.count === undefined || i < options.count; i++) {
      if (stop.signal.aborted) break;
      lastCode = await refresh(ctx, tty);
      if (options.count !== undefined && i + 1 >= options.count) break;
      await sleep(options.intervalMs, stop.signal);
    }
  } finally {
    stop.dispose();
    if (tty) ctx.stdout.write(SHOW_CURSOR);
  }
  return lastCode;
}

async function refresh(ctx: CliContext, tty: boolean): Promise<ExitCode> {
  const at = new Date().toISOString();
  try {
    const snapshot = await ctx.source.list();
    const rows = rowsOf(snapshot);
    if (ctx.json) {
      ctx.stdout.write(`${JSON.stringify(snapshot)}\n`);
    } else if (tty) {
      const header = `${ctx.colors.bold('otel-circuit-breaker watch')}  ${ctx.source.label}  ${at.slice(11, 19)}  ${summaryLine(snapshot, rows)}  ${ctx.colors.dim('(Ctrl-C to quit)')}`;
      const lines = [header, '', ...renderTable(rows, ctx.colors, ctx.stdout.columns)];
      ctx.stdout.write(HOME + lines.map((l) => l + CLEAR_LINE_END).join('\n') + '\n' + CLEAR_BELOW);
    } else {
      const lines = renderPlainLines(rows, at);
      ctx.stdout.write(`${(lines.length > 0 ? lines : [`${at} (no breakers)`]).join('\n')}\n`);
    }
    return EXIT.OK;
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    if (tty) {
      ctx.stdout.write(
        `${HOME}${ctx.colors.red(error.message)}  ${ctx.colors.dim('retrying…')}${CLEAR_LINE_END}\n${CLEAR_BELOW}`,
      );
    } else {
      ctx.stderr.write(`${at} ${error.message}\n`);
    }
    return error.exitCode;
  }
}

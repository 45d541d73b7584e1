#!/usr/bin/env node
// `otel-circuit-breaker`: shows and changes breakers through an app's admin endpoint, or the
// whole fleet straight from Redis (--redis).
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { AdminAction } from '../admin/admin-routes.js';
import { CONFIG_FILE_ENV_VAR } from '../config/env-vars.js';
import { createContext, CLI_ENV, type CliContext, type GlobalOptions } from './cli-context.js';
import { PACKAGE_VERSION } from '../telemetry/package-version.js';
import { actionCommand, statusCommand } from './commands.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { exitQuietlyOnClosedOutput } from './process-lifetime.js';
import { watchCommand } from './watch-command.js';

function positiveInt(label: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new InvalidArgumentError(`${label} must be a positive integer`);
    return n;
  };
}

const HELP_AFTER = `
Endpoint: --url, else ${CLI_ENV.url}, else http://127.0.0.1:$${CLI_ENV.port}, else the
admin.port of the app's config file (${CONFIG_FILE_ENV_VAR}).
Token (for changes): --token, else ${CLI_ENV.token} (prefer the env var: arguments show up in ps).
Fleet: --redis redis://host:6379 reads and changes the shared state every app instance follows
(no admin endpoint or token involved: access to Redis is the permission); --key-prefix, else
${CLI_ENV.keyPrefix}, else cb.

Exit codes:
  0  ok
  1  usage error (bad arguments) or unexpected error
  2  admin endpoint or Redis unreachable, timed out or failing
  3  authentication: missing or wrong token, or changes disabled on the endpoint
  4  no breaker of that name
  5  status --fail-on-open: at least one breaker is open or forced open

Examples:
  otel-circuit-breaker status --url http://127.0.0.1:9465
  ${CLI_ENV.token}=... otel-circuit-breaker reset api.openai.com
  otel-circuit-breaker status --json | jq '.breakers[] | select(.state != "closed") | .name'
  otel-circuit-breaker watch --interval 500
  otel-circuit-breaker --redis redis://127.0.0.1:6379 --key-prefix cb status
  otel-circuit-breaker --redis redis://127.0.0.1:6379 open api.openai.com   # whole fleet`;

/** Builds the program; `run` is called with the command's work once options are parsed. */
export function buildProgram(
  run: (opts: GlobalOptions, work: (ctx: CliContext) => Promise<ExitCode>) => Promise<void>,
): Command {
  const program = new Command('otel-circuit-breaker')
    .description("Show and change circuit breakers through an app's admin endpoint.")
    .version(PACKAGE_VERSION ?? 'unknown', '-V, --version')
    .option('--url <url>', `admin endpoint base URL (env ${CLI_ENV.url})`)
    .option('--token <token>', `bearer token for changes (env ${CLI_ENV.token})`)
    .option('--redis <url>', 'show and change the whole fleet straight from Redis')
    .option(
      '--key-prefix <prefix>',
      `with --redis: the apps' key prefix (env ${CLI_ENV.keyPrefix}, default cb)`,
    )
    .option('--json', 'machine-readable JSON output')
    .option('--no-color', 'plain output without colours')
    .addOption(
      new Option('--timeout <ms>', 'request timeout in milliseconds')
        .argParser(positiveInt('--timeout'))
        .default(5000),
    )
    .exitOverride()
    .showSuggestionAfterError()
    .addHelpText('after', HELP_AFTER);

  const globals = (cmd: Command): GlobalOptions => cmd.optsWithGlobals<GlobalOptions>();

  program
    .command('status')
    .description('list every breaker with its state, failure rate, calls and recovery time')
    .option('--fail-on-open', `exit ${EXIT.BREAKER_OPEN} when any breaker is open or forced open`)
    .action((opts: { failOnOpen?: boolean }, cmd: Command) =>
      run(globals(cmd), (ctx) => statusCommand(ctx, opts)),
    );

  const actions: Array<[AdminAction, string]> = [
    ['reset', 'close a breaker and clear its statistics (needs the token)'],
    ['open', 'force a breaker open until reset (needs the token)'],
    ['disable', 'let every call through, still measuring (needs the token)'],
    ['enable', 'undo disable: back to closed (needs the token)'],
  ];
  for (const [action, description] of actions) {
    program
      .command(`${action} <name>`)
      .description(description)
      .action((name: string, _opts: unknown, cmd: Command) =>
        run(globals(cmd), (ctx) => actionCommand(ctx, name, action)),
      );
  }

  program
    .command('watch')
    .description('refresh the status table in place (plain lines when not a terminal)')
    .addOption(
      new Option('--interval <ms>', 'milliseconds between refreshes')
        .argParser(positiveInt('--interval'))
        .default(1000),
    )
    .option('--count <n>', 'stop after n refreshes', positiveInt('--count'))
    .action((opts: { interval: number; count?: number }, cmd: Command) =>
      run(globals(cmd), (ctx) =>
        watchCommand(ctx, {
          intervalMs: opts.interval,
          ...(opts.count !== undefined ? { count: opts.count } : {}),
        }),
      ),
    );
  return program;
}

/** Runs the CLI and resolves to its exit code; never rejects. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<ExitCode> {
  let code: ExitCode = EXIT.OK;
  const program = buildProgram(async (opts, work) => {
    const ctx = await createContext(opts, env);
    try {
      code = await work(ctx);
    } finally {
      await ctx.source.close();
    }
  });
  try {
    await program.parseAsync([...argv], { from: 'node' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version "fail" with exit code 0; everything else commander rejects is usage.
      return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (error instanceof CliError) {
      process.stderr.write(`otel-circuit-breaker: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`otel-circuit-breaker: unexpected error: ${String(error)}\n`);
    return EXIT.USAGE;
  }
}

if (require.main === module) {
  exitQuietlyOnClosedOutput();
  void main(process.argv, process.env).then((code) => {
    process.exitCode = code;
  });
}

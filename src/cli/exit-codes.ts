/** Exit codes of `otel-circuit-breaker`; part of its public contract for scripts. */
export const EXIT = {
  /** Done. */
  OK: 0,
  /** Bad arguments or options, or a feature not available (e.g. `--redis` for now). */
  USAGE: 1,
  /** The admin endpoint could not be reached, timed out, or answered with a server error. */
  UNREACHABLE: 2,
  /** The endpoint refused the change: no token, wrong token, or changes disabled there. */
  AUTH: 3,
  /** No breaker of that name. */
  NOT_FOUND: 4,
  /** `status --fail-on-open`: at least one breaker is open or forced open. */
  BREAKER_OPEN: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** `code` of every CliError, like the library's own errors carry one (`ECIRCUITOPEN`, ...). */
export const CLI_ERROR_CODE = 'ECIRCUITCLI';

/** An error the CLI reports as one line on stderr, exiting with `exitCode`. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly code = CLI_ERROR_CODE;

  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
  }
}

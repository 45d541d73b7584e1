/** Error code of every configuration problem. */
export const CONFIG_ERROR_CODE = 'ECIRCUITCONFIG';

/** One problem in one source. Rendered as one line of the ConfigError message. */
export interface ConfigProblem {
  /** Where the bad value came from: a file path (with line when known), `env NAME`, or `code`. */
  readonly source: string;
  /** Field path such as `hosts["api.openai.com"].failureRateThreshold`; empty for a whole source. */
  readonly path: string;
  /** The bad value as shown to the user (already redacted); undefined when there is no single value. */
  readonly value?: string;
  /** What is wrong or what is allowed, e.g. `expected a number from 0 to 1`. */
  readonly message: string;
}

/**
 * Thrown by `loadConfig` when any source holds a bad value. Lists every problem found, one per line,
 * each naming its source, field path, value and what is allowed. Nothing is applied when it is thrown.
 */
export class ConfigError extends Error {
  readonly code: typeof CONFIG_ERROR_CODE = CONFIG_ERROR_CODE;
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(formatProblems(problems));
    this.problems = problems;
  }
}
Object.defineProperty(ConfigError.prototype, 'name', { value: 'ConfigError' });

export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof ConfigError;
}

/** `<source>: <path>: got <value>, <message>` — the one-line form of a problem. */
export function formatProblem(problem: ConfigProblem): string {
  const parts = [problem.source];
  if (problem.path !== '') parts.push(problem.path);
  const detail =
    problem.value === undefined ? problem.message : `got ${problem.value}, ${problem.message}`;
  return `${parts.join(': ')}: ${detail}`;
}

function formatProblems(problems: readonly ConfigProblem[]): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return [
    `invalid otel-circuit-breaker config (${count}):`,
    ...problems.map((p) => `  ${formatProblem(p)}`),
  ].join('\n');
}

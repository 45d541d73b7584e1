// How a caller tells errors apart; no test runner here, so child processes can use it too.

/** An error as a caller can tell it apart: class, name, code, message and the same for its cause. */
export function describeError(error: unknown, depth = 0): string {
  if (!(error instanceof Error)) return `non-error ${String(error)}`;
  const code = (error as { code?: unknown }).code;
  let text = `${error.constructor.name}/${error.name}${code === undefined ? '' : `(${String(code)})`}: ${error.message}`;
  if (error.cause !== undefined && depth < 3)
    text += ` <- ${describeError(error.cause, depth + 1)}`;
  return text;
}

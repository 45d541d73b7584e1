/**
 * A reader that went away (`otel-circuit-breaker --help | head`) closes our stdout: like git, stop
 * quietly instead of dying on an unhandled EPIPE with a stack trace. Exit 0: the reader had
 * everything it asked for.
 */
export function exitQuietlyOnClosedOutput(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

/** How often a long-running command checks that whoever started it is still there. */
const PARENT_CHECK_MS = 500;

/**
 * Aborts when the command should end: Ctrl-C, SIGTERM, a closed terminal (SIGHUP), or the parent
 * gone. The last one matters under wrappers such as `npx`: killing the wrapper does not signal its
 * child, which would otherwise poll forever with nobody reading; the child notices it has been
 * re-parented. Returns the signal and a function that removes every listener and timer.
 */
export function stopSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const name of signals) process.on(name, stop);
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) stop();
  }, PARENT_CHECK_MS);
  timer.unref();
  return {
    signal: controller.signal,
    dispose: () => {
      for (const name of signals) process.off(name, stop);
      clearInterval(timer);
    },
  };
}

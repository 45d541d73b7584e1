/**
 * Makes user-supplied text (breaker names, error messages) safe to print on a terminal: control
 * characters, including ESC, become `?`, so a breaker name cannot move the cursor or recolour output.
 */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** Cuts `text` to `max` characters with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

import { expect } from 'vitest';
import type { StatusRow } from '../../src/cli/status-table.js';
import { BREAKER_STATES } from '../../src/core/state-names.js';

// Inputs rebuilt from the docs' sample outputs, so the test can run the code on them.

/** Key paths of `shown` (a documented JSON sample) that `real` lacks; `"..."` keys stand for more. */
export function missingKeys(shown: unknown, real: unknown, path = ''): string[] {
  if (Array.isArray(shown))
    return Array.isArray(real) && shown.length > 0 && real.length > 0
      ? missingKeys(shown[0], real[0], `${path}[0]`)
      : [];
  if (shown === null || typeof shown !== 'object') return [];
  if (real === null || typeof real !== 'object') return [path];
  return Object.entries(shown).flatMap(([key, value]) =>
    key === '...'
      ? []
      : key in real
        ? missingKeys(value, (real as Record<string, unknown>)[key], `${path}.${key}`)
        : [`${path}.${key}`],
  );
}

/** A YAML file whose leaves (`hosts["a.com"].openSeconds = 1.5`) sit on the given lines. */
export function yamlWithLeavesAt(
  leaves: ReadonlyArray<{ line: number; path: string[]; value: string }>,
): string {
  const out: string[] = [];
  const open: string[] = [];
  for (const leaf of [...leaves].sort((a, b) => a.line - b.line)) {
    let shared = 0;
    while (shared < open.length && open[shared] === leaf.path[shared]) shared++;
    open.length = shared;
    const parents = leaf.path.slice(shared, -1);
    while (out.length + parents.length + 1 < leaf.line) out.push(`${'  '.repeat(shared)}# …`);
    for (const key of parents) {
      out.push(`${'  '.repeat(open.length)}${JSON.stringify(key)}:`);
      open.push(key);
    }
    out.push(`${'  '.repeat(open.length)}${JSON.stringify(leaf.path.at(-1))}: ${leaf.value}`);
  }
  return `${out.join('\n')}\n`;
}

/** A table row as the docs print it, back into the row the CLI would render it from. */
export function rowFromDoc(line: string): StatusRow {
  const [name, state, fail, slow, calls, opens, recovery, lastError] = line.split(/ {2,}/);
  expect(BREAKER_STATES, line).toContain(state);
  const num = (text: string | undefined, unit = '') =>
    text === undefined || text === '-' || text === 'probing' || text === 'manual'
      ? null
      : Number(text.slice(0, text.length - unit.length));
  return {
    name: name!,
    state: state as StatusRow['state'],
    failureRate: num(fail, '%') === null ? null : num(fail, '%')! / 100,
    slowCallRate: num(slow, '%') === null ? null : num(slow, '%')! / 100,
    callsInWindow: num(calls),
    openCount: num(opens),
    secondsUntilRecovery: recovery === 'probing' ? 0 : num(recovery, 's'),
    lastError: lastError ?? null,
  };
}

import type { ConfigProblem } from './config-error.js';
import { unknownNameHint } from './did-you-mean.js';
import { formatPath, formatValue } from './problem-text.js';
import { misplacedEntryHint, placementHint } from './placement-messages.js';
import { configSchema, type RawConfig } from './schema.js';
import { validate, type Issue } from './validator.js';

/** One layer of configuration before validation. */
export interface ConfigSource {
  readonly kind: 'file' | 'env' | 'code';
  readonly data: unknown;
  /** Names the origin of the value at `path`: `/app/cb.yaml:12`, `env CIRCUIT_BREAKER_OPEN_SECONDS`, `code`. */
  readonly labelFor: (path: readonly PropertyKey[]) => string;
}

export type SourceValidation =
  | { readonly ok: true; readonly config: RawConfig }
  | { readonly ok: false; readonly problems: readonly ConfigProblem[] };

/** Validates one source on its own, so each problem can name the source it came from. */
export function validateSource(source: ConfigSource): SourceValidation {
  const { value, issues } = validate(configSchema, source.data);
  if (issues.length === 0) return { ok: true, config: value };
  return { ok: false, problems: issues.flatMap((issue) => problemsFor(issue, source)) };
}

export function problemsFor(issue: Issue, source: ConfigSource): ConfigProblem[] {
  const path = issue.path;
  if (issue.unknownKeys !== undefined) {
    const { keys, allowed } = issue.unknownKeys;
    return keys.map((key) => {
      const keyPath = [...path, key];
      const placement = placementHint(key);
      const hint =
        placement !== undefined
          ? `; ${placement}`
          : allowed.length > 0
            ? `; ${unknownNameHint(key, allowed)}`
            : '';
      return {
        source: source.labelFor(keyPath),
        path: formatPath(keyPath),
        message: `unknown key${hint}`,
      };
    });
  }
  if (issue.badKey === true) {
    return [
      {
        source: source.labelFor(path),
        path: formatPath(path),
        value: formatValue(path[path.length - 1]),
        message: issue.message,
      },
    ];
  }
  const found = lookup(source.data, path);
  if (!found.present) {
    return [
      {
        source: source.labelFor(path),
        path: formatPath(path),
        message: `missing; ${issue.message}`,
      },
    ];
  }
  const misplaced = misplacedEntryHint(path);
  return [
    {
      source: source.labelFor(path),
      path: formatPath(path),
      value: formatValue(found.value, path),
      message: misplaced === undefined ? issue.message : `${issue.message}; ${misplaced}`,
    },
  ];
}

/** The raw value at `path`, following the same shorthands the schema accepts (a list of hosts). */
function lookup(
  data: unknown,
  path: readonly PropertyKey[],
): { present: boolean; value?: unknown } {
  let node: unknown = data;
  for (const segment of path) {
    if (Array.isArray(node) && typeof segment === 'string') {
      // `hosts: [a, b]` is validated as `{ a: {}, b: {} }`: the entry is the pattern itself.
      if (!node.includes(segment)) return { present: false };
      node = {};
      continue;
    }
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, segment))
      return { present: false };
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return { present: true, value: node };
}

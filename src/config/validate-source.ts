import type { z } from 'zod';
import type { ConfigProblem } from './config-error.js';
import { unknownNameHint } from './did-you-mean.js';
import { formatPath, formatValue } from './problem-text.js';
import { fromStandIn } from './proto-safe-record.js';
import { misplacedEntryHint, placementHint } from './placement-messages.js';
import { ALLOWED_KEYS_MARKER, configSchema, type RawConfig } from './schema.js';

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
  const result = configSchema().safeParse(source.data);
  if (result.success) return { ok: true, config: result.data };
  return {
    ok: false,
    problems: result.error.issues.flatMap((issue) => problemsFor(issue, source)),
  };
}

export function problemsFor(issue: z.core.$ZodIssue, source: ConfigSource): ConfigProblem[] {
  const path = issue.path.map(fromStandIn);
  if (issue.code === 'unrecognized_keys') {
    const allowed = issue.message.startsWith(ALLOWED_KEYS_MARKER)
      ? (JSON.parse(issue.message.slice(ALLOWED_KEYS_MARKER.length)) as string[])
      : [];
    return issue.keys.map((key) => {
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
  if (issue.code === 'invalid_key') {
    const key = path[path.length - 1];
    const inner = issue.issues[0]?.message ?? issue.message;
    return [
      {
        source: source.labelFor(path),
        path: formatPath(path),
        value: formatValue(key),
        message: inner,
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

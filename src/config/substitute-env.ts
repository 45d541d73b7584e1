import type { ConfigProblem } from './config-error.js';
import { formatPath } from './problem-text.js';

/**
 * `${env:NAME}`, `${NAME}`, either with `:-default`, and `$$` for a literal `$`: the OpenTelemetry
 * Collector's syntax, so a file can sit beside a Collector config and read the same variables.
 */
const TOKEN = /\$\$|\$\{([^}]*)\}/g;
const REFERENCE = /^(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/** Scalars a whole-value placeholder may become, as YAML 1.2's core schema reads them. */
const INTEGER = /^[-+]?(?:0|[1-9][0-9]*)$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

export interface Substitution {
  readonly data: unknown;
  readonly problems: readonly ConfigProblem[];
}

/**
 * Replaces variable references in every string value of a parsed config file (keys are left as
 * they are). Like the Collector, a value that is one reference and nothing else takes the type its
 * text reads as (`port: ${env:PORT}` is a number); inside a longer string it is spliced in as text.
 * A variable's value is never expanded again, so it cannot smuggle in another reference. An unset
 * or empty variable without a default is a problem naming the file line and the variable.
 */
export function substituteEnv(
  data: unknown,
  env: NodeJS.ProcessEnv,
  labelFor: (path: readonly PropertyKey[]) => string,
): Substitution {
  const problems: ConfigProblem[] = [];
  const visit = (value: unknown, path: readonly PropertyKey[]): unknown => {
    if (typeof value === 'string') {
      const result = substituteString(value, env);
      if (result.ok) return result.value;
      problems.push({
        source: labelFor(path),
        path: formatPath(path),
        message: result.message,
      });
      return value;
    }
    if (Array.isArray(value)) return value.map((item, i) => visit(item, [...path, i]));
    if (value !== null && typeof value === 'object') {
      // A fresh object per path: aliases (`<<: *shared`) share objects, which must not be expanded twice.
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, visit(item, [...path, key])]),
      );
    }
    return value;
  };
  const out = visit(data, []);
  return { data: out, problems };
}

type StringResult =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

function substituteString(text: string, env: NodeJS.ProcessEnv): StringResult {
  if (!text.includes('$')) return { ok: true, value: text };
  let failure: string | undefined;
  let whole: string | undefined;
  const replaced = text.replace(TOKEN, (match: string, inner: string | undefined) => {
    if (match === '$$') return '$';
    const ref = REFERENCE.exec(inner ?? '');
    if (ref === null) {
      failure ??= `${match} is not a variable reference; expected \${env:NAME}, \${env:NAME:-default} or $$ for a literal $`;
      return match;
    }
    const [, name, fallback] = ref as unknown as [string, string, string | undefined];
    const set = env[name];
    let value: string;
    if (set !== undefined && set !== '') value = set;
    else if (fallback !== undefined) value = fallback;
    else {
      failure ??= `environment variable ${name} is not set (referenced as ${match}); set it, or give a default: \${env:${name}:-value}`;
      return match;
    }
    if (match === text) whole = value;
    return value;
  });
  if (failure !== undefined) return { ok: false, message: failure };
  return { ok: true, value: whole === undefined ? replaced : typed(whole) };
}

function typed(text: string): unknown {
  if (text === 'true' || text === 'false') return text === 'true';
  if (INTEGER.test(text) || FLOAT.test(text)) return Number(text);
  return text;
}

/** A value that still holds a `${…}` reference after substitution (a typo, or an unexpanded file). */
export function looksLikePlaceholder(value: string): boolean {
  return /\$\{[^}]*\}/.test(value);
}

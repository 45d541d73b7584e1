/**
 * The validators behind every config and code-API check: each reads a value, returns it parsed and
 * pushes an Issue for every problem it finds (all of them, not the first), with the path as the
 * user wrote it. Built once when a module loads; running one allocates nothing but its output.
 */

/** One problem: where it is, what is allowed there, and whether it stops the enclosing checks. */
export interface Issue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  /**
   * A wrong type or a value outside a fixed set. The cross-field checks of an enclosing object run
   * only without one (a bound crossed still lets them run: the value is a number, just too big).
   */
  readonly fatal: boolean;
  /** Keys an object does not know, with the keys it allows (for a did-you-mean hint). */
  readonly unknownKeys?: { readonly keys: readonly string[]; readonly allowed: readonly string[] };
  /** The last path segment is a bad record key, not the holder of a bad value. */
  readonly badKey?: boolean;
}

export interface Validator<T> {
  /** Parses `value` at `path` (restored on return); problems go to `issues`. */
  readonly run: (value: unknown, path: PropertyKey[], issues: Issue[]) => T;
  /** An object key with this validator may be left out. */
  readonly optional?: true;
}

export type Output<V> = V extends Validator<infer T> ? T : never;

export function fail(issues: Issue[], path: readonly PropertyKey[], message: string, fatal = true) {
  issues.push({ path: path.slice(), message, fatal });
}

/** Whether an issue from `start` on stops the checks of the object that started there. */
export function fatalSince(issues: readonly Issue[], start: number): boolean {
  for (let i = start; i < issues.length; i++) if (issues[i]!.fatal) return true;
  return false;
}

/** Parses `value` with `validator`: the output and every issue found. */
export function validate<T>(
  validator: Validator<T>,
  value: unknown,
): { value: T; issues: readonly Issue[] } {
  const issues: Issue[] = [];
  return { value: validator.run(value, [], issues), issues };
}

export function optional<T>(
  validator: Validator<T>,
): Validator<T | undefined> & { optional: true } {
  return {
    optional: true,
    run: (value, path, issues) =>
      value === undefined ? undefined : validator.run(value, path, issues),
  };
}

/** Reads `value` through `before` first (a shorthand such as YAML's null for an empty mapping). */
export function preprocess<T>(
  before: (value: unknown) => unknown,
  validator: Validator<T>,
): Validator<T> {
  return { run: (value, path, issues) => validator.run(before(value), path, issues) };
}

/** A value passing `test`, as `T` (a function, an object with some methods). */
export function custom<T>(test: (value: unknown) => boolean, error: string): Validator<T> {
  return {
    run(value, path, issues) {
      if (!test(value)) fail(issues, path, error);
      return value as T;
    },
  };
}

export const unknown: Validator<unknown> = { run: (value) => value };

export interface NumberBounds {
  readonly integer?: boolean;
  /** (min, max] rather than [min, max]. */
  readonly aboveMin?: boolean;
  /** [min, max) rather than [min, max]. */
  readonly belowMax?: boolean;
}

/** A finite number (a safe integer with `integer`) within the bounds. */
export function number(
  error: string,
  min: number,
  max: number,
  bounds: NumberBounds = {},
): Validator<number> {
  const { integer = false, aboveMin = false, belowMax = false } = bounds;
  return {
    run(value, path, issues) {
      if (typeof value !== 'number' || !Number.isFinite(value) || (integer && value % 1 !== 0)) {
        fail(issues, path, error);
        return value as number;
      }
      // An integer beyond 2^53 is a problem of its own, besides the bound it crosses.
      if (integer && !Number.isSafeInteger(value)) fail(issues, path, error, false);
      if ((aboveMin ? value <= min : value < min) || (belowMax ? value >= max : value > max))
        fail(issues, path, error, false);
      return value;
    },
  };
}

export function boolean(error: string): Validator<boolean> {
  return {
    run(value, path, issues) {
      if (typeof value !== 'boolean') fail(issues, path, error);
      return value as boolean;
    },
  };
}

/** One of `values` (compared with ===). */
export function oneOf<const T extends readonly unknown[]>(
  values: T,
  error: string,
): Validator<T[number]> {
  return {
    run(value, path, issues) {
      if (!values.includes(value)) fail(issues, path, error);
      return value as T[number];
    },
  };
}

/** A rule of a string: a pattern it must match, or a test it must pass, with its message. */
export type StringRule = readonly [rule: RegExp | ((text: string) => boolean), message: string];

/** A string passing every rule; each rule it fails is an issue of its own. */
export function string(error: string, rules: readonly StringRule[] = []): Validator<string> {
  return {
    run(value, path, issues) {
      if (typeof value !== 'string') {
        fail(issues, path, error);
        return value as string;
      }
      for (const [rule, message] of rules) {
        const ok = typeof rule === 'function' ? rule(value) : rule.test(value);
        if (!ok) fail(issues, path, message, false);
      }
      return value;
    },
  };
}

/** A list of `element`s, non-empty with `nonEmpty`. */
export function array<T>(element: Validator<T>, error: string, nonEmpty = false): Validator<T[]> {
  return {
    run(value, path, issues) {
      if (!Array.isArray(value)) {
        fail(issues, path, error);
        return value as T[];
      }
      const start = issues.length;
      const out = new Array<T>(value.length);
      for (let i = 0; i < value.length; i++) {
        path.push(i);
        out[i] = element.run(value[i], path, issues);
        path.pop();
      }
      if (nonEmpty && value.length === 0 && !fatalSince(issues, start))
        fail(issues, path, error, false);
      return out;
    },
  };
}

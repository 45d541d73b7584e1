import { fail, fatalSince, type Issue, type Output, type Validator } from './validator.js';

/** Mappings: objects with known keys, and records of names users choose. */

export type Shape = Readonly<Record<string, Validator<unknown>>>;

type OptionalKeys<S extends Shape> = {
  [K in keyof S]: S[K] extends { optional: true } ? K : never;
}[keyof S];
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** What an object of `S` parses to: a key with an optional validator may be absent. */
export type ObjectOutput<S extends Shape> = Simplify<
  { [K in Exclude<keyof S, OptionalKeys<S>>]: Output<S[K]> } & {
    [K in OptionalKeys<S>]?: Output<S[K]>;
  }
>;

export interface ObjectOptions<T> {
  /** Message when the value is not an object (arrays and null are not). */
  readonly error: string;
  /** Keys outside the shape: an issue (`strict`, the default), dropped (`strip`) or kept (`keep`). */
  readonly unknownKeys?: 'strict' | 'strip' | 'keep';
  /** Checks across fields, run when the fields themselves have no fatal issue. */
  readonly refine?: (value: T, path: PropertyKey[], issues: Issue[]) => void;
}

/** A mapping: an object that is neither an array nor null. */
export function isObject(value: unknown): value is Record<PropertyKey, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An object with the keys of `shape`; every key is checked, then the unknown ones are listed. */
export function object<const S extends Shape>(
  shape: S,
  options: ObjectOptions<ObjectOutput<S>>,
): Validator<ObjectOutput<S>> {
  const keys = Object.keys(shape);
  const known = new Set(keys);
  const { error, unknownKeys = 'strict', refine } = options;
  return {
    run(value, path, issues) {
      if (!isObject(value)) {
        fail(issues, path, error);
        return value as ObjectOutput<S>;
      }
      const start = issues.length;
      const out: Record<string, unknown> = {};
      for (const key of keys) {
        const field = shape[key]!;
        // Inherited keys count, as for any property read: a config object may come from a class.
        const present = key in value;
        if (!present && field.optional) continue;
        path.push(key);
        const parsed = field.run(value[key], path, issues);
        path.pop();
        if (present || parsed !== undefined) out[key] = parsed;
      }
      if (unknownKeys !== 'strip') {
        let unknown: string[] | undefined;
        for (const key in value) {
          if (known.has(key)) continue;
          if (unknownKeys === 'strict') (unknown ??= []).push(key);
          else if (key !== '__proto__') out[key] = value[key];
        }
        if (unknown !== undefined)
          issues.push({
            path: path.slice(),
            message: 'unknown key',
            fatal: false,
            unknownKeys: { keys: unknown, allowed: keys },
          });
      }
      const parsed = out as ObjectOutput<S>;
      if (refine !== undefined && !fatalSince(issues, start)) refine(parsed, path, issues);
      return parsed;
    },
  };
}

/** An object whose constructor is Object's (or none): not a Map, a Date or an instance of a class. */
function isPlainObject(value: unknown): value is Record<PropertyKey, unknown> {
  if (!isObject(value)) return false;
  const ctor = value.constructor;
  if (typeof ctor !== 'function') return true;
  const prototype: unknown = ctor.prototype;
  return isObject(prototype) && Object.hasOwn(prototype, 'isPrototypeOf');
}

export interface RecordOptions {
  /** Message when the value is not a plain object. */
  readonly error: string;
  /**
   * Keeps a `__proto__` key (a host or an agent may have any name) as an own property; without it
   * such a key is skipped, as a plain object would swallow it.
   */
  readonly anyName?: boolean;
}

/** A mapping of names (each checked by `key`; a bad one is an issue on the key) to `value`s. */
export function record<T>(
  key: Validator<string>,
  value: Validator<T>,
  options: RecordOptions,
): Validator<Record<string, T>> {
  const { error, anyName = false } = options;
  return {
    run(input, path, issues) {
      if (!isPlainObject(input)) {
        fail(issues, path, error);
        return input as Record<string, T>;
      }
      const out: Record<string, T> = {};
      for (const name of Reflect.ownKeys(input)) {
        if (
          (name === '__proto__' && !anyName) ||
          !Object.prototype.propertyIsEnumerable.call(input, name)
        )
          continue;
        path.push(name);
        const keyIssues: Issue[] = [];
        key.run(name, path, keyIssues);
        if (keyIssues.length > 0) {
          issues.push({
            path: path.slice(),
            message: keyIssues[0]!.message,
            fatal: true,
            badKey: true,
          });
        } else {
          const parsed = value.run(input[name], path, issues);
          if (name === '__proto__')
            Object.defineProperty(out, name, {
              value: parsed,
              enumerable: true,
              writable: true,
              configurable: true,
            });
          else out[name as string] = parsed;
        }
        path.pop();
      }
      return out;
    },
  };
}

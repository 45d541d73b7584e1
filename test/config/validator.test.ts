import { describe, expect, it } from 'vitest';
import { array, fail, number, optional, string, validate } from '../../src/config/validator.js';
import { object, record } from '../../src/config/validator-objects.js';

const int = number('expected an integer from 1 to 10', 1, 10, { integer: true });
const pair = object(
  { low: int, high: optional(int) },
  {
    error: 'expected a pair',
    refine(value, path, issues) {
      if (value.high !== undefined && value.high < value.low)
        fail(issues, [...path, 'high'], 'expected at least low', false);
    },
  },
);
const messages = (issues: readonly { path: readonly PropertyKey[]; message: string }[]) =>
  issues.map((issue) => `${issue.path.map(String).join('.')}: ${issue.message}`);

describe('validators', () => {
  it('report every problem, in field order, and the unknown keys after the known ones', () => {
    const { issues } = validate(array(pair, 'expected a list'), [
      { low: 0, high: 'x', extra: 1 },
      { low: 3, high: 11 },
    ]);
    expect(messages(issues)).toEqual([
      '0.low: expected an integer from 1 to 10',
      '0.high: expected an integer from 1 to 10',
      '0: unknown key',
      '1.high: expected an integer from 1 to 10',
    ]);
    expect(issues[2]!.unknownKeys).toEqual({ keys: ['extra'], allowed: ['low', 'high'] });
  });

  it('check across fields only when every field has the right type', () => {
    expect(messages(validate(pair, { low: 5, high: 2 }).issues)).toEqual([
      'high: expected at least low',
    ]);
    // A bound crossed is still a number: the cross-field rule runs and reports too.
    expect(messages(validate(pair, { low: 12, high: 2 }).issues)).toEqual([
      'low: expected an integer from 1 to 10',
      'high: expected at least low',
    ]);
    expect(messages(validate(pair, { low: 5.5, high: 2 }).issues)).toEqual([
      'low: expected an integer from 1 to 10',
    ]);
  });

  it('report each failed rule of a string on its own', () => {
    const name = string('expected a short name', [
      [/^[a-z]+$/, 'expected letters'],
      [(text) => text.length <= 3, 'expected at most 3 characters'],
    ]);
    expect(messages(validate(name, 'AB CD').issues)).toEqual([
      ': expected letters',
      ': expected at most 3 characters',
    ]);
    expect(messages(validate(name, 7).issues)).toEqual([': expected a short name']);
  });

  it('keep a __proto__ key of a record of user-chosen names as an own entry, checked like any other', () => {
    const input = JSON.parse('{"__proto__": 3, "a": 20, "b c": 1}') as unknown;
    const key = string('expected letters', [[/^[a-z_]+$/, 'expected letters']]);
    const { value, issues } = validate(
      record(key, int, { error: 'expected a mapping', anyName: true }),
      input,
    );
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(value['__proto__']).toBe(3);
    expect(messages(issues)).toEqual([
      'a: expected an integer from 1 to 10',
      'b c: expected letters',
    ]);
    expect(issues[1]!.badKey).toBe(true);
  });
});

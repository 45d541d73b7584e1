import { describe, expect, it } from 'vitest';
import {
  declaredKind,
  isTraversable,
  learnedKind,
  learnKind,
} from '../../src/agents/method-kind.js';

describe('declaredKind', () => {
  it('async functions are calls, async generator functions are lazy streams', () => {
    expect(declaredKind('create', async () => 1)).toBe('promise');
    expect(declaredKind('withOptions', async function () {})).toBe('promise'); // the form wins
    expect(declaredKind('list', async function* () {})).toBe('async-generator');
  });

  it('SDK helper names, built-in object methods and `_` internals are synchronous helpers', () => {
    const plain = (): void => {};
    for (const name of ['withOptions', 'buildURL', 'toJSON', 'on', 'removeAllListeners', '_client'])
      expect(declaredKind(name, plain), name).toBe('sync');
  });

  it('stream-returning names are streams', () => {
    const plain = (): void => {};
    for (const name of ['stream', 'runTools', 'createAndStream', 'submitToolOutputsStream'])
      expect(declaredKind(name, plain), name).toBe('stream');
  });

  it('any other plain function is left to a call to tell', () => {
    expect(declaredKind('create', () => Promise.resolve())).toBeUndefined();
    expect(declaredKind('retrieve', function () {})).toBeUndefined();
    expect(declaredKind('streamer', () => {})).toBeUndefined(); // "stream" only as the name or a suffix
  });
});

describe('learnKind / learnedKind', () => {
  it('remembers a kind per function object, not per name', () => {
    const create = (): void => {};
    const other = (): void => {};
    expect(learnedKind(create)).toBeUndefined();
    learnKind(create, 'sync');
    expect(learnedKind(create)).toBe('sync');
    expect(learnedKind(other)).toBeUndefined();
    learnKind(create, 'api-promise');
    expect(learnedKind(create)).toBe('api-promise');
  });
});

describe('isTraversable', () => {
  it('SDK namespaces (plain objects and class instances) are traversed', () => {
    class Completions {
      create(): void {}
    }
    expect(isTraversable({ completions: new Completions() })).toBe(true);
    expect(isTraversable(new Completions())).toBe(true);
    expect(isTraversable(Object.create(null))).toBe(true);
  });

  it('primitives, functions and thenables are not', () => {
    for (const value of [undefined, null, 1, 'x', true, () => {}])
      expect(isTraversable(value), String(value)).toBe(false);
    expect(isTraversable({ then: () => {} })).toBe(false);
    expect(isTraversable(Promise.resolve())).toBe(false);
  });

  it('built-ins and their subclasses hold internal slots or data: never traversed', () => {
    class Tags extends Map<string, string> {}
    for (const value of [
      [],
      new Map(),
      new Tags(),
      new Set(),
      new Date(0),
      /x/,
      new Error('e'),
      new Uint8Array(1),
      Buffer.alloc(1),
      new ArrayBuffer(1),
      new URL('http://127.0.0.1/'),
      new URLSearchParams('a=1'),
      new Headers(),
      new AbortController(),
      new EventTarget(),
    ])
      expect(isTraversable(value), Object.prototype.toString.call(value)).toBe(false);
  });
});

import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { notInlined } from '../../src/transport/not-inlined.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BUILT = resolve(ROOT, 'dist/cjs/transport/not-inlined.js');

/** The running Node's limit: V8 inlines no function whose bytecode is longer. */
function inliningLimit(): number {
  const options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
  const limit = /--max-inlined-bytecode-size=(\d+)/.exec(options);
  if (limit === null) throw new Error('no --max-inlined-bytecode-size in node --v8-options');
  return Number(limit[1]);
}

describe('notInlined', () => {
  it('is longer than the running V8 inlines, so callers always call it', () => {
    const script = `const { notInlined } = require(${JSON.stringify(BUILT)});
      const call = notInlined(function (a, b) { return a + b; });
      call(1, 2);`;
    const printed = execFileSync(
      process.execPath,
      ['--print-bytecode', '--print-bytecode-filter=notInlinedCall', '-e', script],
      { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
    );
    const length = /Bytecode length: (\d+)/.exec(printed);
    expect(length, 'the wrapper was compiled and printed').not.toBeNull();
    expect(Number(length![1])).toBeGreaterThan(inliningLimit());
  });

  it('passes the receiver, both arguments, the result and any exception through', () => {
    const seen: unknown[] = [];
    const receiver = { name: 'receiver' };
    const method = notInlined(function (this: typeof receiver, a: number, b: string) {
      seen.push(this, a, b);
      if (a < 0) throw new RangeError(b);
      return `${this.name}:${a}:${b}`;
    });
    expect(method.call(receiver, 1, 'x')).toBe('receiver:1:x');
    expect(seen).toEqual([receiver, 1, 'x']);
    expect(() => method.call(receiver, -1, 'negative')).toThrow(new RangeError('negative'));
  });

  it('runs the method for a symbol first argument too', () => {
    const method = notInlined((a: symbol, b: number) => `${String(a)} ${b}`);
    expect(method(Symbol('neverPassed'), 2)).toBe('Symbol(neverPassed) 2');
  });
});

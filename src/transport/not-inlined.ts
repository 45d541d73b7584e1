/** Never given to a wrapper as its first argument: the branch it guards never runs. */
const neverPassed: unique symbol = Symbol('neverPassed');

/**
 * `method` behind a function V8 never inlines into its callers, for a method whose callers must
 * stay small. V8's optimizing compiler inlines a callee only while its caller has inlining budget
 * left (920 bytes of bytecode, a callee counted with everything its own optimized code inlined),
 * and the hottest functions of Node's http client and of undici sit close to that line: our
 * method, inlined there, left no budget for Node's own small callees (the socket's `destroyed`
 * getter, `setHeader`), which then cost more per request than our whole method.
 *
 * V8 inlines no function whose bytecode is longer than 460 bytes (`--max-inlined-bytecode-size`,
 * the same on Node 22, 24 and 26). The wrapper is that long through a branch that never runs, and
 * so is always called: about 90 CPU instructions a call (a Proxy without traps, which V8 does not
 * inline either, cost 220: it looks for an `apply` trap on every call). The method itself is
 * compiled into the wrapper's own optimized code as usual. A test checks the length against the
 * running Node's limit.
 */
export function notInlined<This, A, B, R>(
  method: (this: This, a: A, b: B) => R,
): (this: This, a: A, b: B) => R {
  return function notInlinedCall(this: This, a: A, b: B): R {
    const first: unknown = a;
    if (first === neverPassed) {
      // Never runs: it is here for its length (100 substitutions, about 700 bytes of bytecode).
      const s = String(b);
      throw new TypeError(`
${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}
${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}
${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}
${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}
${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}${s}
`);
    }
    return method.call(this, a, b);
  };
}

/** No traps: a call goes straight to the target. */
const callThrough = Object.create(null) as ProxyHandler<(...args: never[]) => unknown>;

/**
 * `fn` behind a Proxy with no traps, which V8 never inlines into its caller (~100 CPU instructions
 * a call). For a function whose caller must stay small: V8 inlines a function only while its caller
 * has inlining budget left, and a callee that already has optimized code counts with everything
 * inlined into that code. The handler has no prototype: the engine looks for an `apply` trap on
 * every call, and finds none sooner.
 */
export function notInlined<F extends (...args: never[]) => unknown>(fn: F): F {
  return new Proxy(fn, callThrough as ProxyHandler<F>);
}

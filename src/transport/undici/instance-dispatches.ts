import type { DispatchFn } from './handler-types.js';

/** Dispatchers remembered before the first sweep of those already collected. */
const FIRST_SWEEP_AT = 256;

/**
 * The own `dispatch` we give undici dispatchers at their first request (see dispatcher-patch.ts),
 * kept as weak references so that a config change or disabling the hook can take each one back,
 * and the dispatchers that must not get one. Costs nothing per request: only a dispatcher's first
 * request meets it.
 */
export class InstanceDispatches {
  private readonly refused = new WeakSet<object>();
  private given: { readonly dispatcher: WeakRef<object>; readonly dispatch: DispatchFn }[] = [];
  private sweepAt = FIRST_SWEEP_AT;

  /**
   * Whether `dispatcher` may get its own `dispatch`: not when it has one already (undici's
   * MockClient), when a subclass overrides the method (its override must keep running), or when it
   * cannot take properties.
   */
  accepts(dispatcher: object, patchedPrototype: object): boolean {
    if (typeof dispatcher !== 'object' || dispatcher === null) return false;
    if (this.refused.has(dispatcher)) return false;
    if (
      Object.hasOwn(dispatcher, 'dispatch') ||
      holderOfDispatch(dispatcher) !== patchedPrototype ||
      !Object.isExtensible(dispatcher)
    ) {
      this.refused.add(dispatcher);
      return false;
    }
    return true;
  }

  /** Gives `dispatcher` its own `dispatch` (not enumerable, like the prototype's method). */
  give(dispatcher: object, dispatch: DispatchFn): void {
    Object.defineProperty(dispatcher, 'dispatch', {
      value: dispatch,
      writable: true,
      configurable: true,
      enumerable: false,
    });
    this.given.push({ dispatcher: new WeakRef(dispatcher), dispatch });
    if (this.given.length >= this.sweepAt) this.sweep();
  }

  /** Takes every given `dispatch` back, unless something replaced it since. */
  takeAllBack(): void {
    for (const { dispatcher, dispatch } of this.given) {
      const holder = dispatcher.deref();
      if (
        holder !== undefined &&
        Object.getOwnPropertyDescriptor(holder, 'dispatch')?.value === dispatch
      ) {
        delete (holder as { dispatch?: unknown }).dispatch;
      }
    }
    this.given = [];
    this.sweepAt = FIRST_SWEEP_AT;
  }

  private sweep(): void {
    this.given = this.given.filter(({ dispatcher }) => dispatcher.deref() !== undefined);
    this.sweepAt = Math.max(FIRST_SWEEP_AT, this.given.length * 2);
  }
}

/** The first object on `dispatcher`'s prototype chain with its own `dispatch`. */
function holderOfDispatch(dispatcher: object): object | null {
  for (
    let p = Object.getPrototypeOf(dispatcher) as object | null;
    p;
    p = Object.getPrototypeOf(p)
  ) {
    if (Object.hasOwn(p, 'dispatch')) return p;
  }
  return null;
}

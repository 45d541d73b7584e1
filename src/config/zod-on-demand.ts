import type * as Zod from 'zod';

/** The `z` namespace of zod, as `import { z } from 'zod'` gives it. */
export type Z = typeof Zod.z;
let loaded: Z | undefined;

/**
 * zod, loaded by the first validation rather than by the library's import: an app that only
 * requires `otel-circuit-breaker` does not pay for the schema library until it creates something.
 */
export function zod(): Z {
  return (loaded ??= (require('zod') as typeof Zod).z);
}

/** A schema built on its first use (and once): `const args = onDemand((z) => z.object(…))`, then `args()`. */
export function onDemand<T>(build: (z: Z) => T): () => T {
  let built: T | undefined;
  return () => (built ??= build(zod()));
}

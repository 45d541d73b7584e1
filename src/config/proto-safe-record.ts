import type { z } from 'zod';
import { zod } from './zod-on-demand.js';

/**
 * zod leaves a `__proto__` key out of a record's output (writing it to `{}` would replace the
 * prototype), so a host named `__proto__` vanished without a word. Records of user-chosen names
 * carry that key through validation under this stand-in, which no config can spell.
 */
const PROTO_STAND_IN = '\u0000__proto__';

/** The name as the user wrote it, for a key or path segment seen during validation. */
export function fromStandIn<T extends PropertyKey>(key: T): T | '__proto__' {
  return key === PROTO_STAND_IN ? '__proto__' : key;
}

/**
 * `z.record(key, value)` for names users choose (hosts, agents): every key, including
 * `__proto__`, `constructor` and `hasOwnProperty`, is validated and kept as an own property.
 */
export function protoSafeRecord<V extends z.ZodType>(
  keySchema: z.ZodType<string>,
  valueSchema: V,
  params: { error: string },
) {
  const z = zod();
  const key = z.string().superRefine((text, ctx) => {
    const result = keySchema.safeParse(fromStandIn(text));
    if (!result.success)
      for (const issue of result.error.issues)
        ctx.addIssue({ code: 'custom', message: issue.message });
  });
  return z.preprocess(
    (value) =>
      value !== null && typeof value === 'object' && Object.hasOwn(value, '__proto__')
        ? Object.fromEntries(
            Object.entries(value).map(([k, v]) => [k === '__proto__' ? PROTO_STAND_IN : k, v]),
          )
        : value,
    z
      .record(key, valueSchema, params)
      .transform(
        (record) =>
          Object.fromEntries(Object.entries(record).map(([k, v]) => [fromStandIn(k), v])) as Record<
            string,
            z.output<V>
          >,
      ),
  );
}

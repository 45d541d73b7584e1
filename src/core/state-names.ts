/** Every state a breaker can be in. `forced_open` and `disabled` are only entered by hand. */
export const BREAKER_STATES = ['closed', 'open', 'half_open', 'forced_open', 'disabled'] as const;

/** The name of a state, as status, metrics, logs and the shared store show it. */
export type BreakerStateName = (typeof BREAKER_STATES)[number];

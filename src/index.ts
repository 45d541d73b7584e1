export { CircuitBreaker } from './core/breaker.js';
export type { CircuitBreakerOptions, BreakerCounters, SharedStateLink } from './core/breaker.js';
export type { BreakerStatus } from './core/breaker-status.js';
export { ManualClock, systemClock } from './core/clock.js';
export type { Clock } from './core/clock.js';
export { CircuitOpenError, CIRCUIT_OPEN_CODE, isCircuitOpenError } from './core/errors.js';
export { classifyError, isCallerAbort } from './core/outcome.js';
export type { Classification, ErrorClassifier, FailureKind, Outcome } from './core/outcome.js';
export type { FailureDetail, Permit } from './core/permit.js';
export { PRESETS, PRESET_NAMES, resolvePolicy } from './core/policy.js';
export type { BreakerMode, BreakerPolicy, PolicyOverrides, PresetName } from './core/policy.js';
export { BREAKER_STATES } from './core/states.js';
export type {
  BreakerStateName,
  Transition,
  TransitionListener,
  TransitionReason,
} from './core/states.js';
export { BreakerRegistry, breakers, OVERFLOW_BREAKER_NAME } from './registry/breaker-registry.js';
export type { BreakerRegistryOptions } from './registry/breaker-registry.js';

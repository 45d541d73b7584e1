/** Shared state across instances: the registry's link to a store, fleet control and the exit flush. */
export {
  SharedStateSync,
  type SharedStateSyncOptions,
  type ProbeLease,
} from './shared-state-sync.js';
export {
  RedisFleetControl,
  FleetUnavailableError,
  FLEET_UNAVAILABLE_CODE,
  type FleetStore,
  type RedisFleetControlOptions,
} from './redis-fleet-control.js';
export type { FleetBreakerView, FleetControl } from './fleet-control.js';
export { flushOnExit, type ExitFlushStore } from './flush-on-exit.js';

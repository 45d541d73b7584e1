/** Shared breaker state: the store interface, its two implementations and the registry link. */
export type {
  StateStore,
  SharedState,
  StoreHealth,
  StoreLogEvent,
  TransitionRequest,
  TransitionResult,
  FlushRequest,
  FlushResult,
  SharedStateMessage,
} from './state-store.js';
export { MemoryStore, MemoryBackend } from './memory-store.js';
export { RedisStore, type RedisStoreOptions } from './redis-store.js';
export {
  SharedStateSync,
  type SharedStateSyncOptions,
  type ProbeLease,
} from './shared-state-sync.js';
export { createStore, STORE_DEFAULTS, type CreateStoreOptions } from './create-store.js';
export { breakerKeys, hashTag } from './keys.js';
export {
  RedisFleetControl,
  FleetUnavailableError,
  type FleetStore,
  type RedisFleetControlOptions,
} from './redis-fleet-control.js';

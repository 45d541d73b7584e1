/** Storage of shared breaker state: the store interface and its two implementations. */
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
  WindowTotals,
} from './state-store.js';
export { MemoryStore, MemoryBackend } from './memory-store.js';
export { RedisStore, type RedisStoreOptions } from './redis-store.js';
export { createStore, type CreateStoreOptions } from './create-store.js';
export { breakerKeys, hashTag } from './keys.js';

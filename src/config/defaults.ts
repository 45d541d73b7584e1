// Defaults of the settings that more than one part applies: the config resolver fills them in,
// and code that is handed no resolved config (the store factory, the registry, the CLI, the admin
// server) falls back to the same values. Documented on the public config types.

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const STORE_DEFAULTS = {
  keyPrefix: 'cb',
  flushIntervalMs: 1000,
  resyncIntervalMs: 5000,
  storeTimeoutMs: 200,
} as const;
export const REGISTRY_DEFAULTS = { maxBreakers: 10_000, idleEvictSeconds: 3600 } as const;
export const DEFAULT_ADMIN_HOST = '127.0.0.1';

import { POLICY_FIELDS, SETTINGS_FIELDS } from './field-specs.js';
import { ADMIN_FIELDS, REGISTRY_FIELDS, STORE_FIELDS, TOP_FIELDS } from './schema.js';

const settingsPlace = (key: string): string =>
  `put it under defaults (every host) or under one host (hosts["api.example.com"].${key})`;
const SETTINGS_PLACE = (key: string): string => `it is a breaker setting: ${settingsPlace(key)}`;

/** Where each config key belongs, so a key written at the wrong level is pointed to its place. */
const PLACES = new Map<string, (key: string) => string>();
for (const key of [...Object.keys(POLICY_FIELDS), ...Object.keys(SETTINGS_FIELDS), 'failOn'])
  PLACES.set(key, SETTINGS_PLACE);
PLACES.set(
  'healthCheck',
  (k) => `it is a host setting: put it under one host (hosts["api.example.com"].${k})`,
);
for (const key of [...Object.keys(STORE_FIELDS), 'clusterNodes', 'sentinel'])
  PLACES.set(key, (k) => `it belongs under store (store.${k}, with store.type "redis")`);
for (const key of Object.keys(ADMIN_FIELDS))
  PLACES.set(key, (k) => `it belongs under admin (admin.${k})`);
for (const key of Object.keys(REGISTRY_FIELDS))
  PLACES.set(key, (k) => `it belongs under registry (registry.${k})`);
for (const key of [
  ...Object.keys(TOP_FIELDS),
  'defaults',
  'hosts',
  'agents',
  'store',
  'admin',
  'registry',
])
  PLACES.set(key, (k) => `it belongs at the top level of the config (${k}:)`);

/**
 * For a key that is not allowed where it was written but is a known key elsewhere (`failureThreshold`
 * at the top level, `store` inside a host), where it belongs; undefined for an unknown word.
 */
export function placementHint(key: string): string | undefined {
  return PLACES.get(key)?.(key);
}

/**
 * `hosts: { failureThreshold: 3 }` parses as a host named "failureThreshold" with a number for
 * settings: when the entry's name is a breaker setting, say so instead of only "expected a mapping".
 */
export function misplacedEntryHint(path: readonly PropertyKey[]): string | undefined {
  if (path.length !== 2 || (path[0] !== 'hosts' && path[0] !== 'agents')) return undefined;
  const key = path[1];
  if (typeof key !== 'string' || PLACES.get(key) !== SETTINGS_PLACE) return undefined;
  const what = path[0] === 'hosts' ? 'a host' : 'an agent';
  return `"${key}" is a breaker setting, not ${what}: ${settingsPlace(key)}`;
}

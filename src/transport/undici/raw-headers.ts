import type { HeaderRecord, RawHeaders } from './handler-types.js';

/** Case-insensitive single-value lookup over undici's raw `[name, value, ...]` Buffer list. */
export function rawHeaderLookup(
  raw: RawHeaders | null | undefined,
): (name: string) => string | undefined {
  return (name) => {
    if (raw == null) return undefined;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      if (String(raw[i]).toLowerCase() === name) return String(raw[i + 1]);
    }
    return undefined;
  };
}

/** Raw headers as the new API's lower-case record (repeated names become arrays). */
export function rawToRecord(raw: RawHeaders | null | undefined): HeaderRecord {
  const record: HeaderRecord = {};
  if (raw == null) return record;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = String(raw[i]).toLowerCase();
    const value = (raw[i + 1] as Buffer).toString('latin1');
    const existing = record[key];
    if (existing === undefined) record[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else record[key] = [existing, value];
  }
  return record;
}

import type { HeaderRecord, RawHeaders } from './handler-types.js';

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

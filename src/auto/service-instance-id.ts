/**
 * `service.instance.id` for the SDK that `register` starts: a random UUID v4, as the SDK's own
 * detector sets, drawn from `Math.random` (which OpenTelemetry JS also draws trace and span ids
 * from; V8 seeds it per process from the OS). The SDK's detector calls `crypto.randomUUID()`, and
 * loading `node:crypto` alone added 3 MiB to every such process that had no other use for it.
 */
export const serviceInstanceIdDetector = {
  detect: () => ({ attributes: { 'service.instance.id': (instanceId ??= randomUuidV4()) } }),
};

/** One id for the process, as the SDK's detector keeps it. */
let instanceId: string | undefined;

/** `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx` (y: 8 to b), each x a random hex digit. */
export function randomUuidV4(): string {
  let hex = '';
  for (let i = 0; i < 32; i++) {
    let digit = Math.floor(Math.random() * 16);
    if (i === 12) digit = 4; // version 4
    if (i === 16) digit = 8 + (digit & 3); // variant 10xx
    hex += digit.toString(16);
  }
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

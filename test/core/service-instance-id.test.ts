import { describe, expect, it } from 'vitest';
import { randomUuidV4, serviceInstanceIdDetector } from '../../src/auto/service-instance-id.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('service.instance.id', () => {
  it('is a random UUID v4: version 4, variant 10, every other digit drawn', () => {
    const ids = Array.from({ length: 2000 }, randomUuidV4);
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
    // Each free position takes all 16 digits over 2,000 draws; the variant position its 4.
    const digits = (i: number) => new Set(ids.map((id) => id.replaceAll('-', '')[i])).size;
    expect(digits(0)).toBe(16);
    expect(digits(31)).toBe(16);
    expect(digits(16)).toBe(4);
  });

  it('is one id for the process, as the SDK detector keeps it', () => {
    const first = serviceInstanceIdDetector.detect().attributes['service.instance.id'];
    expect(first).toMatch(UUID_V4);
    expect(serviceInstanceIdDetector.detect().attributes['service.instance.id']).toBe(first);
  });
});

import { describe, expect, it } from 'vitest';
import { defaultIsFailureStatus } from '../../../src/config/status-rule.js';
import { ManualClock } from '../../../src/core/clock.js';
import { resolvePolicy } from '../../../src/core/policy.js';
import { BreakerRegistry } from '../../../src/registry/breaker-registry.js';
import { createTargetResolver } from '../../../src/transport/targets/target-resolver.js';

const rule = {
  name: 'api.example.com',
  policy: resolvePolicy({}),
  rejectWith: 'error' as const,
  isFailureStatus: defaultIsFailureStatus,
  quotaOpenSeconds: 3600,
};

describe('transport targets', () => {
  it('keep their breaker between calls, and follow the registry once it evicts or removes it', () => {
    const clock = new ManualClock();
    const registry = new BreakerRegistry({ clock, idleEvictSeconds: 10 });
    const target = createTargetResolver([rule], registry)('api.example.com', 443, 'https:')!;
    const first = target.breaker;
    expect(target.breaker).toBe(first);
    expect(registry.peek(rule.name)).toBe(first);

    // Idle past idleEvictSeconds: the next breaker the registry creates sweeps this one out.
    clock.advance(11_000);
    registry.get('someone-else');
    expect(registry.peek(rule.name)).toBeUndefined();
    const second = target.breaker;
    expect(second).not.toBe(first);
    expect(registry.peek(rule.name)).toBe(second);

    registry.remove(rule.name);
    const third = target.breaker;
    expect(third).not.toBe(second);
    expect(registry.peek(rule.name)).toBe(third);
  });
});

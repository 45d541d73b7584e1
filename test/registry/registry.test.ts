import { describe, expect, it } from 'vitest';
import { BreakerRegistry, ManualClock } from '../../src/index.js';
import { OVERFLOW_BREAKER_NAME } from '../../src/registry/breaker-registry.js';
import type { Transition } from '../../src/index.js';

describe('BreakerRegistry', () => {
  it('gets or creates by name, with per-name overrides over defaults', () => {
    const registry = new BreakerRegistry({
      clock: new ManualClock(),
      defaults: { preset: 'strict' },
      overrides: { payments: { failureThreshold: 9 } },
    });
    const a = registry.get('payments');
    expect(registry.get('payments')).toBe(a);
    expect(a.policy.failureThreshold).toBe(9);
    expect(a.policy.successThreshold).toBe(3); // from the strict preset
    expect(registry.get('search', { preset: 'lenient' }).policy.failureThreshold).toBe(10);
    expect(registry.list().map((b) => b.name)).toEqual(['payments', 'search']);
  });

  it('lists open breakers, resets all, and fans transitions out to registry listeners', () => {
    const registry = new BreakerRegistry({ clock: new ManualClock() });
    const seen: Transition[] = [];
    registry.onTransition((t) => seen.push(t));
    registry.get('a').forceOpen();
    registry.get('b');
    registry.get('c').disable();
    expect(registry.listOpen().map((b) => b.name)).toEqual(['a']);
    registry.resetAll();
    expect(registry.list().map((b) => b.currentState)).toEqual(['closed', 'closed', 'closed']);
    expect(seen.map((t) => `${t.name}:${t.to}`)).toEqual([
      'a:forced_open',
      'c:disabled',
      'a:closed',
      'c:closed',
    ]);
  });

  it('evicts closed breakers idle for idleEvictSeconds, lazily, but keeps open ones', () => {
    const clock = new ManualClock();
    const registry = new BreakerRegistry({ clock, idleEvictSeconds: 100 });
    registry.get('idle');
    registry.get('open').forceOpen();
    clock.advance(50_000);
    registry.get('busy');
    clock.advance(60_000);
    registry.get('busy').canRequest();
    expect(
      registry
        .list()
        .map((b) => b.name)
        .sort(),
    ).toEqual(['busy', 'open']);
    expect(registry.evicted).toBe(1);
  });

  it('caps distinct breakers: names past maxBreakers share a disabled overflow breaker, counted', async () => {
    const registry = new BreakerRegistry({ clock: new ManualClock(), maxBreakers: 3 });
    for (let i = 0; i < 10; i++) registry.get(`host-${i}`);
    expect(registry.size).toBe(3);
    expect(registry.overflowedNames).toBe(7);
    const overflow = registry.get('host-99');
    expect(overflow.name).toBe(OVERFLOW_BREAKER_NAME);
    expect(overflow.currentState).toBe('disabled');
    await expect(overflow.execute(async () => 'still runs')).resolves.toBe('still runs');
    expect(registry.list()).toHaveLength(4);
  });

  it('makes room past the cap by evicting idle breakers first', () => {
    const clock = new ManualClock();
    const registry = new BreakerRegistry({ clock, maxBreakers: 2, idleEvictSeconds: 10 });
    registry.get('old-1');
    registry.get('old-2');
    clock.advance(10_000);
    expect(registry.get('new').name).toBe('new');
    expect(registry.overflowedNames).toBe(0);
  });
});

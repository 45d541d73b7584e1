import { describe, expect, it } from 'vitest';
import { OriginCache } from '../../src/transport/targets/origin-cache.js';
import type { TransportTarget } from '../../src/transport/targets/target.js';

/** Targets stand in for breakers here: the cache only stores and returns them. */
const target = (name: string) => ({ name }) as unknown as TransportTarget;
const listed = new Map([
  ['a.example.com', target('a')],
  ['b.example.com', target('b')],
]);
const resolve = (hostname: string) => listed.get(hostname);

describe('OriginCache', () => {
  it('answers each origin with its own entry, also when two origins alternate', () => {
    const cache = new OriginCache(resolve);
    const a = cache.fillFromOrigin('https://a.example.com');
    const b = cache.fillFromOrigin('https://b.example.com');
    expect(cache.fillFromOrigin('https://c.example.com')).toBeNull();
    for (let i = 0; i < 3; i++) {
      // Fresh strings each time, as undici builds `opts.origin` per request.
      expect(cache.get(['https://a', 'example.com'].join('.'))).toBe(a);
      expect(cache.get(['https://b', 'example.com'].join('.'))).toBe(b);
      expect(cache.get('https://c.example.com')).toBeNull();
      expect(cache.get('https://d.example.com')).toBeUndefined();
    }
    expect(a?.target).toBe(listed.get('a.example.com'));
    expect(b?.port).toBe(443);
  });

  it('forgets the last answer with everything else when it is full', () => {
    const cache = new OriginCache(resolve, 2);
    cache.fillFromOrigin('https://a.example.com');
    expect(cache.get('https://a.example.com')?.hostname).toBe('a.example.com');
    cache.fillFromOrigin('https://b.example.com');
    cache.fillFromOrigin('http://c.example.com:8080'); // full: cleared, then this one
    expect(cache.size).toBe(1);
    expect(cache.get('https://a.example.com')).toBeUndefined();
    expect(cache.get('http://c.example.com:8080')).toBeNull();
  });
});

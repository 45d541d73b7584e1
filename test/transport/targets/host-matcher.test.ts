import { describe, expect, it } from 'vitest';
import { createHostMatcher } from '../../../src/transport/targets/host-matcher.js';
import { parseHostPattern } from '../../../src/config/host-pattern.js';
import { loadConfig } from '../../../src/config/load-config.js';

function matcherFor(patterns: string[], cacheSize?: number) {
  const config = loadConfig({ env: {}, code: { hosts: patterns } });
  const matcher = createHostMatcher(config.hosts, { cacheSize });
  const nameOf = (
    hostname: string,
    port: number | undefined,
    protocol: 'http:' | 'https:' = 'https:',
  ) => matcher.match(hostname, port, protocol)?.name;
  return { matcher, nameOf };
}

describe('host patterns', () => {
  it.each([
    ['API.Example.COM', 'api.example.com'],
    ['api.example.com.', 'api.example.com'],
    ['db.internal:5432', 'db.internal:5432'],
    ['*.Example.com', '*.example.com'],
    ['[0:0:0:0:0:0:0:1]:8080', '[::1]:8080'],
    ['[::1]', '[::1]'],
    ['10.0.0.7:80', '10.0.0.7:80'],
    ['redis_cache', 'redis_cache'],
  ])('%s is normalised to %s', (raw, key) => {
    const parsed = parseHostPattern(raw);
    expect(parsed.ok && parsed.pattern.key).toBe(key);
  });

  it.each([
    'https://a.com',
    'a.com/v1',
    'user@a.com',
    'a.com:0',
    'a.com:65536',
    'a.com:http',
    '::1',
    '[zz]',
    'a.*.com',
    '*.a.com:443',
    '*',
    '-a.com',
    'a..com',
    '',
  ])('%s is rejected', (raw) => {
    expect(parseHostPattern(raw).ok).toBe(false);
  });
});

describe('createHostMatcher', () => {
  it('normalises default ports: https://a.com is a.com:443, http is 80', () => {
    const { nameOf } = matcherFor(['secure.example.com:443', 'plain.example.com:80']);
    expect(nameOf('secure.example.com', undefined, 'https:')).toBe('secure.example.com:443');
    expect(nameOf('secure.example.com', 443, 'http:')).toBe('secure.example.com:443');
    expect(nameOf('secure.example.com', undefined, 'http:')).toBeUndefined();
    expect(nameOf('plain.example.com', undefined, 'http:')).toBe('plain.example.com:80');
    expect(nameOf('plain.example.com', 8080, 'http:')).toBeUndefined();
  });

  it('prefers host:port, then the exact host, then the longest wildcard', () => {
    const { nameOf } = matcherFor([
      'api.example.com:8443',
      'api.example.com',
      '*.example.com',
      '*.eu.example.com',
    ]);
    expect(nameOf('api.example.com', 8443)).toBe('api.example.com:8443');
    expect(nameOf('api.example.com', undefined)).toBe('api.example.com');
    expect(nameOf('api.example.com', 9000)).toBe('api.example.com');
    expect(nameOf('web.example.com', undefined)).toBe('*.example.com');
    expect(nameOf('a.b.example.com', undefined)).toBe('*.example.com');
    expect(nameOf('api.eu.example.com', 1234)).toBe('*.eu.example.com');
    expect(nameOf('example.com', undefined)).toBeUndefined();
    expect(nameOf('notexample.com', undefined)).toBeUndefined();
    expect(nameOf('example.com.evil.net', undefined)).toBeUndefined();
  });

  it('matches case-insensitively, with a trailing dot, and bare or bracketed IPv6', () => {
    const { nameOf } = matcherFor(['API.example.com', '[::1]:8080']);
    expect(nameOf('api.EXAMPLE.com.', undefined)).toBe('api.example.com');
    expect(nameOf('::1', 8080, 'http:')).toBe('[::1]:8080');
    expect(nameOf('[::1]', 8080, 'http:')).toBe('[::1]:8080');
  });

  it('returns the same rule object every time, and caches misses too', () => {
    const { matcher } = matcherFor(['api.example.com']);
    const first = matcher.match('api.example.com', undefined, 'https:');
    expect(matcher.match('api.example.com', undefined, 'https:')).toBe(first);
    expect(matcher.match('other.example.com', undefined, 'https:')).toBeUndefined();
    expect(matcher.match('other.example.com', undefined, 'https:')).toBeUndefined();
    expect(matcher.cachedKeys).toBe(2);
  });

  it('bounds its cache, so a flood of hosts cannot grow memory', () => {
    const { matcher, nameOf } = matcherFor(['*.example.com'], 100);
    for (let i = 0; i < 10_000; i++) matcher.match(`host-${i}.flood.test`, undefined, 'https:');
    expect(matcher.cachedKeys).toBe(100);
    expect(nameOf('x.example.com', undefined)).toBe('*.example.com');
  });

  it('with no rules, matches nothing', () => {
    const matcher = createHostMatcher([]);
    expect(matcher.match('a.com', 443, 'https:')).toBeUndefined();
    expect(matcher.mayMatch('a.com')).toBe(false);
  });

  it('tells a host no port of which matches from one some port of may match', () => {
    const { matcher } = matcherFor(['a.com', 'b.com:8443', '*.example.com', '[::1]:9000']);
    for (const host of ['a.com', 'A.COM.', 'b.com', 'x.example.com', 'a.b.example.com', '::1']) {
      expect(matcher.mayMatch(host)).toBe(true);
    }
    for (const host of ['c.com', 'example.com', 'b.com.evil', '::2']) {
      expect(matcher.mayMatch(host)).toBe(false);
      for (const port of [80, 443, 8443, 9000])
        expect(matcher.match(host, port, 'https:')).toBe(undefined);
    }
  });
});

import { isIPv6 } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isIPv6Address, isIPv6ListenAddress } from '../../src/config/ip-address.js';
import { parseHostPattern } from '../../src/config/host-pattern.js';

const ADDRESSES = [
  '::',
  '::1',
  '1:2:3:4:5:6:7:8',
  '1::8',
  'fe80::1',
  '2001:db8::ff00:42:8329',
  '::ffff:192.0.2.128',
  '64:ff9b::1.2.3.4',
  '1:2:3:4:5:6:1.2.3.4',
  'ABCD:EF01::',
  '1:2:3:4:5:6:7:8:9',
  '1::2::3',
  ':::',
  '12345::',
  'g::1',
  '::ffff:1.2.3',
  '::ffff:1.2.3.256',
  '::ffff:01.2.3.4',
  '1.2.3.4',
  'localhost',
  '',
  ':',
  '1:2:3:4:5:6:7',
  '::1/64',
  '::1]',
  '[::1]',
  'x@::1',
];

describe('IPv6 checks without node:net', () => {
  it.each(ADDRESSES)('%j: what net.isIPv6 says', (address) => {
    expect(isIPv6Address(address)).toBe(isIPv6(address));
    expect(isIPv6ListenAddress(address)).toBe(isIPv6(address));
  });

  it('takes a zone only where a server listens', () => {
    expect(isIPv6ListenAddress('fe80::1%eth0')).toBe(true);
    expect(isIPv6ListenAddress('fe80::1%')).toBe(false);
    expect(isIPv6ListenAddress('fe80::1%eth0/x')).toBe(false);
    expect(isIPv6Address('fe80::1%eth0')).toBe(false);
  });

  it('a host pattern with a zone is a clear error: no request URL carries one', () => {
    expect(parseHostPattern('[fe80::1%25eth0]')).toEqual({
      ok: false,
      reason: 'not a valid IPv6 address in brackets',
    });
    expect(parseHostPattern('[0:0::1]:8080')).toEqual({
      ok: true,
      pattern: expect.objectContaining({ key: '[::1]:8080' }),
    });
  });
});

import { isIPv4, isIPv6 } from 'node:net';

/**
 * True when `host` can only be reached from this machine: `localhost`, 127.0.0.0/8, `::1` or an
 * IPv4-mapped loopback. Anything else, including `0.0.0.0`, `::` and host names (which may resolve
 * anywhere), counts as reachable from the network.
 */
export function isLoopbackAddress(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  if (isIPv4(h)) return h.startsWith('127.');
  if (isIPv6(h)) {
    if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    return mapped !== null && mapped[1] !== undefined && mapped[1].startsWith('127.');
  }
  return false;
}

/**
 * Host header check against DNS rebinding: when the endpoint listens on loopback only, a request
 * whose Host names anything else came from a page that rebound its own name to 127.0.0.1.
 */
export function isLoopbackHostHeader(hostHeader: string | undefined): boolean {
  if (hostHeader === undefined || hostHeader === '') return false;
  // Strip the port: "[::1]:8080" -> "::1", "localhost:80" -> "localhost".
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hostHeader);
  const host = bracketed?.[1] ?? hostHeader.replace(/:\d+$/, '');
  return isLoopbackAddress(host);
}

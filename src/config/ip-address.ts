// IP address checks for config values without `node:net`, whose first load brings Node's sockets
// and streams into every process that reads a config (2 MiB), while only the URL parser is needed.

/**
 * Whether `text` is an IPv6 address without a zone, by the URL parser that gives requests their
 * hostnames (`[::1]`), so a pattern and a request agree on what is an address.
 */
export function isIPv6Address(text: string): boolean {
  return /^[0-9A-Fa-f:.]+$/.test(text) && URL.canParse(`http://[${text}]/`);
}

/** Whether `text` is an IPv6 address a server can listen on: with a `%zone` or without. */
export function isIPv6ListenAddress(text: string): boolean {
  const zone = text.indexOf('%');
  if (zone === -1) return isIPv6Address(text);
  return isIPv6Address(text.slice(0, zone)) && /^[0-9A-Za-z_.-]+$/.test(text.slice(zone + 1));
}

import { BlockList, isIP } from 'node:net';

/**
 * Address ranges a webhook must never reach: loopback, RFC 1918, CGNAT, link-local (cloud metadata
 * at 169.254.169.254), unique-local, multicast and reserved. IPv4-mapped IPv6 (`::ffff:a.b.c.d`)
 * is matched against the IPv4 rules by BlockList itself.
 */
const PRIVATE_RANGES = new BlockList();
const IPV4_RANGES: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const IPV6_RANGES: ReadonlyArray<readonly [string, number]> = [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
];
for (const [network, prefix] of IPV4_RANGES) PRIVATE_RANGES.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of IPV6_RANGES) PRIVATE_RANGES.addSubnet(network, prefix, 'ipv6');

/** True for loopback, private, link-local, reserved or otherwise non-public IP addresses (and non-IPs). */
export function isPrivateAddress(address: string): boolean {
  const version = isIP(address);
  if (version === 0) return true;
  return PRIVATE_RANGES.check(address, version === 4 ? 'ipv4' : 'ipv6');
}

/** True when `host` is an IPv4 or IPv6 literal (brackets allowed, as in URL hostnames). */
export function isIpLiteral(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return isIP(bare) !== 0;
}

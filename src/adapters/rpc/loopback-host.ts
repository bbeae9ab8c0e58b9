import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Resolves a host name to every address it has (IPv4 and IPv6). */
export type ResolveAll = (host: string) => Promise<ReadonlyArray<{ address: string; family: number }>>;

const resolveWithSystem: ResolveAll = (host) => lookup(host, { all: true });

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');
loopback.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

function isLoopbackAddress(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && loopback.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * True when binding host serves only this machine: a loopback IP literal (127.0.0.0/8, ::1), or a
 * name every address of which is loopback. A name is judged by what it resolves to, never by its
 * spelling: `127.example.com` may point anywhere. A name that does not resolve is not loopback.
 */
export async function isLoopbackHost(
  host: string,
  resolve: ResolveAll = resolveWithSystem,
): Promise<boolean> {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(bare) !== 0) return isLoopbackAddress(bare);
  const addresses = await resolve(bare).catch(() => []);
  return addresses.length > 0 && addresses.every((entry) => isLoopbackAddress(entry.address));
}

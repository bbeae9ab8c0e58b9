import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { isPrivateAddress } from './private-address.js';

/** Error code set on the connect error when DNS answered with a private address. */
export const PRIVATE_ADDRESS_ERROR_CODE = 'ERR_PRIVATE_ADDRESS';

/** Raised at connect time when a hostname resolves to a non-public address. */
export class PrivateAddressError extends Error {
  override readonly name = 'PrivateAddressError';
  readonly code = PRIVATE_ADDRESS_ERROR_CODE;
  constructor(readonly hostname: string) {
    super(`host ${hostname} resolves to a private or reserved address`);
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `net.connect` lookup that refuses private addresses. It runs inside the socket's own connect,
 * so the address checked is the address dialled: a DNS answer that changes between validation and
 * connect (DNS rebinding) cannot slip a private address past it. Any private address in the answer
 * rejects the whole host, so the socket cannot fall back to it during happy-eyeballs either.
 */
export function createSafeLookup(): LookupFunction {
  const safeLookup = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error, []);
        return;
      }
      if (addresses.length === 0 || addresses.some((entry) => isPrivateAddress(entry.address))) {
        callback(new PrivateAddressError(hostname), []);
        return;
      }
      if (options.all === true) {
        callback(null, addresses);
        return;
      }
      const first = addresses[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
  return safeLookup;
}

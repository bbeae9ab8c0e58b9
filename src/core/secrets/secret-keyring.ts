import { ConfigError } from '../contract/index.js';

/** One AES-256 key with the id stored beside every value it encrypted. */
export interface SecretKey {
  readonly id: string;
  readonly key: Buffer;
}

/** Keys for stored secrets: the first encrypts, every one decrypts (so keys can rotate). */
export interface SecretKeyring {
  readonly primary: SecretKey | undefined;
  find(id: string): SecretKey | undefined;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Parse `NOTIFY_SECRET_KEYS`: comma-separated `id:base64key` entries, newest first, each key 32
 * bytes (e.g. `openssl rand -base64 32`). Empty means no key. Errors name the entry, never the key.
 */
export function parseSecretKeys(text: string | undefined): SecretKeyring {
  const keys: SecretKey[] = [];
  for (const [index, entry] of (text ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .entries()) {
    const separator = entry.indexOf(':');
    const id = entry.slice(0, separator);
    if (separator <= 0 || !KEY_ID.test(id)) {
      throw new ConfigError(
        `NOTIFY_SECRET_KEYS[${index}]`,
        'must be id:base64key with id of [A-Za-z0-9_-]{1,32}',
      );
    }
    const key = Buffer.from(entry.slice(separator + 1), 'base64');
    if (key.length !== 32)
      throw new ConfigError(`NOTIFY_SECRET_KEYS[${index}]`, `key "${id}" must decode to 32 bytes`);
    if (keys.some((existing) => existing.id === id))
      throw new ConfigError(`NOTIFY_SECRET_KEYS[${index}]`, `duplicate key id "${id}"`);
    keys.push({ id, key });
  }
  return { primary: keys[0], find: (id) => keys.find((key) => key.id === id) };
}

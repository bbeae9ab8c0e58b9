import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretKeyring } from './secret-keyring.js';

/** A sealed value and the id of the key that sealed it ('plain' when stored unencrypted). */
export interface SealedValue {
  readonly keyId: string;
  readonly ciphertext: string;
}

/** Key id recorded for values stored without encryption (embedded dev mode only). */
export const PLAINTEXT_KEY_ID = 'plain';

/** Thrown when a value cannot be opened (unknown key id, tampered data). Never holds the value. */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

/**
 * AES-256-GCM for settings at rest: a random 12-byte IV per value, the 16-byte tag, and the key id
 * bound as additional data so a value cannot be relabelled to another key.
 */
export class SecretBox {
  constructor(
    private readonly keyring: SecretKeyring,
    private readonly allowPlaintext: boolean,
  ) {}

  /** Whether new values will be encrypted. */
  get encrypts(): boolean {
    return this.keyring.primary !== undefined;
  }

  /** Whether values may be stored unencrypted when no key is configured. */
  get canStorePlaintext(): boolean {
    return this.allowPlaintext;
  }

  /** The key id new values are sealed with. */
  get primaryKeyId(): string {
    return this.keyring.primary?.id ?? PLAINTEXT_KEY_ID;
  }

  seal(plaintext: string): SealedValue {
    const primary = this.keyring.primary;
    if (!primary) {
      if (!this.allowPlaintext) throw new SecretBoxError('no secret key configured (NOTIFY_SECRET_KEYS)');
      return { keyId: PLAINTEXT_KEY_ID, ciphertext: Buffer.from(plaintext, 'utf8').toString('base64') };
    }
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', primary.key, iv);
    cipher.setAAD(Buffer.from(primary.id, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      keyId: primary.id,
      ciphertext: Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64'),
    };
  }

  open(sealed: SealedValue): string {
    if (sealed.keyId === PLAINTEXT_KEY_ID) return Buffer.from(sealed.ciphertext, 'base64').toString('utf8');
    const key = this.keyring.find(sealed.keyId);
    if (!key) throw new SecretBoxError(`secret key "${sealed.keyId}" is not configured (NOTIFY_SECRET_KEYS)`);
    const raw = Buffer.from(sealed.ciphertext, 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.key, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(key.id, 'utf8'));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError(`stored value sealed with key "${sealed.keyId}" failed authentication`);
    }
  }
}

import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/*
 * Feishu's Encrypt Key scheme, as the official SDKs implement it (node-sdk utils/aes-cipher.ts and
 * dispatcher/request-handle.ts; docs/feishu-notes.md §14.5-14.6): AES-256-CBC with key = SHA-256(encryptKey),
 * the IV in the first 16 bytes of the base64 payload, PKCS#7 padding; and the request signature
 * X-Lark-Signature = hex(SHA-256(timestamp + nonce + encryptKey + raw body)), a plain hash, not an HMAC.
 */

function aesKey(encryptKey: string): Buffer {
  return createHash('sha256').update(encryptKey, 'utf8').digest();
}

/** Decrypts an `encrypt` field; throws on bad base64, key or padding. */
export function decryptCallback(encrypt: string, encryptKey: string): string {
  const buffer = Buffer.from(encrypt, 'base64');
  if (buffer.length < 32 || buffer.length % 16 !== 0) throw new Error('ciphertext has a bad length');
  const decipher = createDecipheriv('aes-256-cbc', aesKey(encryptKey), buffer.subarray(0, 16));
  return Buffer.concat([decipher.update(buffer.subarray(16)), decipher.final()]).toString('utf8');
}

/** Encrypts like Feishu does (a random IV first); the emulator and tests use it. */
export function encryptCallback(plaintext: string, encryptKey: string): string {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', aesKey(encryptKey), iv);
  return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

/** The X-Lark-Signature of a request. */
export function callbackSignature(
  timestamp: string,
  nonce: string,
  encryptKey: string,
  body: string,
): string {
  return createHash('sha256')
    .update(timestamp + nonce + encryptKey + body, 'utf8')
    .digest('hex');
}

/** Constant-time string comparison (different lengths compare unequal without a timing leak of content). */
export function safeEqual(a: string, b: string): boolean {
  const left = createHash('sha256').update(a, 'utf8').digest();
  const right = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(left, right) && a.length === b.length;
}

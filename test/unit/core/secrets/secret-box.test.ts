import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SecretBox, SecretBoxError } from '../../../../src/core/secrets/secret-box.js';
import { parseSecretKeys } from '../../../../src/core/secrets/secret-keyring.js';

const k1 = `k1:${randomBytes(32).toString('base64')}`;
const k2 = `k2:${randomBytes(32).toString('base64')}`;

describe('SecretBox', () => {
  it('seals with the first key and never stores plaintext', () => {
    const box = new SecretBox(parseSecretKeys(k1), false);
    const sealed = box.seal('https://open.feishu.cn/open-apis/bot/v2/hook/abc');
    expect(sealed.keyId).toBe('k1');
    expect(Buffer.from(sealed.ciphertext, 'base64').toString('utf8')).not.toContain('feishu');
    expect(box.open(sealed)).toBe('https://open.feishu.cn/open-apis/bot/v2/hook/abc');
  });

  it('after rotation (new key first) old values still open and new ones use the new key', () => {
    const old = new SecretBox(parseSecretKeys(k1), false).seal('secret');
    const rotated = new SecretBox(parseSecretKeys(`${k2},${k1}`), false);
    expect(rotated.open(old)).toBe('secret');
    expect(rotated.seal('secret').keyId).toBe('k2');
  });

  it('rejects tampering, a relabelled key id and an unknown key', () => {
    const box = new SecretBox(parseSecretKeys(`${k1},${k2}`), false);
    const sealed = box.seal('secret');
    const raw = Buffer.from(sealed.ciphertext, 'base64');
    raw[raw.length - 1] = (raw[raw.length - 1] ?? 0) ^ 1;
    expect(() => box.open({ keyId: 'k1', ciphertext: raw.toString('base64') })).toThrow(SecretBoxError);
    expect(() => box.open({ keyId: 'k2', ciphertext: sealed.ciphertext })).toThrow(SecretBoxError);
    expect(() => new SecretBox(parseSecretKeys(k2), false).open(sealed)).toThrow(/not configured/);
  });

  it('refuses to store without a key unless plaintext is allowed', () => {
    expect(() => new SecretBox(parseSecretKeys(''), false).seal('x')).toThrow(/no secret key/);
    const plain = new SecretBox(parseSecretKeys(''), true);
    expect(plain.open(plain.seal('x'))).toBe('x');
  });

  it('key parsing errors name the entry but never echo the key', () => {
    expect(() => parseSecretKeys('k1:dG9vc2hvcnQ=')).toThrow(/NOTIFY_SECRET_KEYS\[0\].*32 bytes/);
    try {
      parseSecretKeys('k1:dG9vc2hvcnQ=');
    } catch (error) {
      expect((error as Error).message).not.toContain('dG9vc2hvcnQ=');
    }
  });
});

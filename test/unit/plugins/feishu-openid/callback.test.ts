import { describe, expect, it } from 'vitest';
import type { PluginContext } from '../../../../src/core/contract/index.js';
import { feishuOpenidPlugin } from '../../../../src/plugins/feishu-openid/index.js';
import {
  callbackSignature,
  decryptCallback,
  encryptCallback,
} from '../../../../src/plugins/feishu-openid/callback/callback-crypto.js';
import { createCallbackHandler } from '../../../../src/plugins/feishu-openid/callback/callback-handler.js';

describe('Feishu callback crypto (vectors from docs/feishu-notes.md §14.5-§14.6)', () => {
  it('decrypts the node-sdk challenge test vector', () => {
    const encrypt =
      'tT1xP+ovuc0T3b/rnZX3ax76exqAn0ANQ6/U45GcciC0mgNBc8JtvqOJGNAPMKpgRs2dVU1NYk9VDeqS8T4SYtU0hzNU54aS84WnxvZ3VFfDcy/RyABlNqlUiGyLDzFI0yxdCMT4KR/YEQXlt6nZi50KwRlZ+A75r645KesZuLMljezYyY8VeeXEVjPw35+e';
    expect(JSON.parse(decryptCallback(encrypt, 'mazhe.nerd'))).toEqual({
      challenge: '5634b122-c042-4634-bc7f-b07a3c3e77ad',
      token: 'iRdCP2WwXNBXRM3mGLqhrgch3cn0gbT6',
      type: 'url_verification',
    });
    expect(() => decryptCallback(encrypt, 'wrong-key')).toThrow();
  });

  it('signs as SHA-256 of timestamp + nonce + key + body', () => {
    const body = '{"schema":"2.0","header":{"event_type":"card.action.trigger"}}';
    expect(callbackSignature('1700000000', 'nonce-123', 'test-encrypt-key', body)).toBe(
      '4206ad985d80fe996a8c3ca1f7f893856bc95081907187b250a22ab39bf8f3ee',
    );
  });

  it('round-trips its own encryption', () => {
    expect(decryptCallback(encryptCallback('{"a":"中"}', 'k'), 'k')).toBe('{"a":"中"}');
  });
});

describe('callback verification', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const context: PluginContext = {
    channel: 'app',
    now: () => now,
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined },
  };
  const config = feishuOpenidPlugin.parseConfig(
    { appId: 'a', appSecret: 's', verificationToken: 'vt', encryptKey: 'ek' },
    'c',
  );
  const { verifyCallback } = createCallbackHandler(config, context);
  const ts = String(now.getTime() / 1000);
  const sign = (body: string, timestamp = ts) => ({
    'x-lark-request-timestamp': timestamp,
    'x-lark-request-nonce': 'n',
    'x-lark-signature': callbackSignature(timestamp, 'n', 'ek', body),
  });
  const action = (token = 'vt') =>
    JSON.stringify({
      encrypt: encryptCallback(
        JSON.stringify({
          schema: '2.0',
          header: { event_id: 'e1', event_type: 'card.action.trigger', token },
          event: {
            operator: { open_id: 'ou_op' },
            action: { value: { action: 'ack', notification_id: 'n-9' } },
          },
        }),
        'ek',
      ),
    });

  it('accepts a signed, encrypted acknowledge', () => {
    const body = action();
    expect(verifyCallback?.({ headers: sign(body), body })).toEqual({
      kind: 'acknowledge',
      eventId: 'e1',
      notificationId: 'n-9',
      operator: 'ou_op',
    });
  });

  // Each encryption has a fresh IV, so every case signs the exact body it sends.
  const signed = (body: string, timestamp?: string) => ({ body, headers: sign(body, timestamp) });
  it.each([
    [
      'bad_signature',
      () => ({ body: action(), headers: { ...sign('x'), 'x-lark-signature': 'f'.repeat(64) } }),
    ],
    ['stale', () => signed(action(), String(now.getTime() / 1000 - 301))],
    ['bad_token', () => signed(action('other'))],
    ['undecryptable', () => signed('{"encrypt":"AAAA"}')],
    ['malformed', () => ({ body: 'nope', headers: {} })],
  ])('refuses %s', (reason, build) => {
    const { body, headers } = build();
    expect(verifyCallback?.({ headers, body })).toMatchObject({ kind: 'rejected', reason });
  });

  it('serves no callbacks without a verification token', () => {
    const plain = feishuOpenidPlugin.parseConfig({ appId: 'a', appSecret: 's' }, 'c');
    expect(createCallbackHandler(plain, context)).toEqual({});
  });
});

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, webhookTimestamp } from '../../../../src/plugins/feishu-webhook/signing.js';

describe('feishu-webhook signing (docs/feishu-notes.md §2.3)', () => {
  it.each([
    ['demo', '1599360473', 'l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8='],
    ['test-secret', '1700000000', 'mbm4Y4oluIPQ00qlBIhX8vAZ0EKv3nw0LuTb91jPL84='],
  ])('secret %s, ts %s → documented vector', (secret, ts, expected) => {
    expect(signWebhook(ts, secret)).toBe(expected);
  });

  it('is not the common wrong variant (key = secret, message = string_to_sign)', () => {
    const wrong = createHmac('sha256', 'demo').update('1599360473\ndemo').digest('base64');
    expect(wrong).toBe('DkEDUyVoOOJ539qBvUgMyzkzIdRWlf4e/V3Rq+ONJnQ=');
    expect(signWebhook('1599360473', 'demo')).not.toBe(wrong);
  });

  it('uses whole Unix seconds as a decimal string', () => {
    expect(webhookTimestamp(new Date(1_599_360_473_999))).toBe('1599360473');
  });
});

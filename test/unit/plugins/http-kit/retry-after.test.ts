import { describe, expect, it } from 'vitest';
import { feishuRetryHint } from '../../../../src/plugins/feishu-common/feishu-response.js';
import { readRetryAfterMs, retryHintFor } from '../../../../src/plugins/http-kit/retry-after.js';

describe('retry hints', () => {
  it('reads Retry-After in seconds or as a date, and a provider reset header only when named', () => {
    const headers = { 'retry-after': '2', 'x-ogw-ratelimit-reset': '7' };
    expect(readRetryAfterMs(headers, 0)).toBe(2000);
    expect(readRetryAfterMs(headers, 0, { resetHeader: 'x-ogw-ratelimit-reset' })).toBe(7000);
    expect(readRetryAfterMs({ 'retry-after': new Date(5000).toUTCString() }, 1000)).toBe(4000);
    expect(readRetryAfterMs({}, 0)).toBeUndefined();
  });

  it('gives Feishu its reset header first and an in-flight duplicate about a second', () => {
    expect(feishuRetryHint('rate_limited', { 'x-ogw-ratelimit-reset': '3', 'retry-after': '9' }, 0)).toBe(
      3000,
    );
    expect(retryHintFor('provider_in_flight', {}, 0)).toBe(1000);
    expect(retryHintFor('server_error', {}, 0)).toBeUndefined();
  });
});

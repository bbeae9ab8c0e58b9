import { describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../../../../src/core/config/load-config.js';
import { backoffDelayMs, decideAfterSend } from '../../../../src/core/delivery/retry-policy.js';
import type { NotificationRecord } from '../../../../src/core/notification/notification-record.js';

const retry = parseGatewayConfig({}).retry;
const now = new Date('2026-01-01T00:00:00Z');

function record(overrides: Partial<NotificationRecord> = {}): NotificationRecord {
  return { attemptCount: 0, callCount: 1, maxAttempts: 6, ...overrides } as NotificationRecord;
}

describe('backoffDelayMs', () => {
  it('grows 1 s × 4^n and caps at maxDelayMs without jitter', () => {
    const config = { ...retry, jitter: 'none' as const };
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelayMs(config, n, Math.random))).toEqual([
      1000, 4000, 16000, 64000, 256000, 1024000, 3600000,
    ]);
  });

  it('full jitter stays within [0, ceiling]', () => {
    expect(backoffDelayMs(retry, 3, () => 0)).toBe(0);
    expect(backoffDelayMs(retry, 3, () => 0.999999)).toBe(15999);
    expect(backoffDelayMs(retry, 3, () => 0.5)).toBe(8000);
  });
});

describe('decideAfterSend', () => {
  it('success → sent with sentAt', () => {
    const update = decideAfterSend(record(), { outcome: 'success', providerMessageId: 'm1' }, retry, now);
    expect(update).toMatchObject({
      status: 'sent',
      sentAt: now,
      providerMessageId: 'm1',
      lastErrorCode: null,
    });
  });

  it('permanent failure → dead with the plugin code', () => {
    const update = decideAfterSend(
      record(),
      { outcome: 'permanent_fail', errorCode: 'invalid_url' },
      retry,
      now,
    );
    expect(update).toMatchObject({ status: 'dead', lastErrorCode: 'invalid_url', spendsAttempt: true });
  });

  it('temporary failure with attempts left → failed after a jittered backoff', () => {
    const update = decideAfterSend(
      record({ attemptCount: 1, callCount: 2 }),
      { outcome: 'temporary_fail', errorCode: 'provider_5xx' },
      retry,
      now,
      () => 0.5,
    );
    expect(update.status).toBe('failed');
    expect(update.nextAttemptAt.getTime() - now.getTime()).toBe(2000);
  });

  it('temporary failure on the last attempt → dead', () => {
    const update = decideAfterSend(
      record({ attemptCount: 5, callCount: 6 }),
      { outcome: 'temporary_fail', errorCode: 'provider_5xx' },
      retry,
      now,
    );
    expect(update.status).toBe('dead');
  });

  it('rate limit honours the hint and spends no attempt, even on the last one', () => {
    const update = decideAfterSend(
      record({ attemptCount: 5, callCount: 6 }),
      { outcome: 'temporary_fail', errorCode: 'provider_rate_limited', retryAfterMs: 7000 },
      retry,
      now,
    );
    expect(update).toMatchObject({ status: 'failed', spendsAttempt: false });
    expect(update.nextAttemptAt.getTime() - now.getTime()).toBe(7000);
  });

  it('clamps a provider hint to maxDelayMs: a 1-year reset waits the 1 h cap, not a year', () => {
    const update = decideAfterSend(
      record(),
      { outcome: 'temporary_fail', errorCode: 'provider_rate_limited', retryAfterMs: 365 * 24 * 3_600_000 },
      retry,
      now,
    );
    expect(update.nextAttemptAt.getTime() - now.getTime()).toBe(retry.maxDelayMs);
  });

  it('a hint past year 9999 (or beyond what a Date holds) still gives a storable time', () => {
    for (const retryAfterMs of [Date.UTC(10000, 0, 1) - now.getTime(), 1e300, Number.POSITIVE_INFINITY]) {
      const update = decideAfterSend(
        record(),
        { outcome: 'temporary_fail', errorCode: 'provider_5xx', retryAfterMs },
        retry,
        now,
      );
      expect(update.nextAttemptAt.getTime() - now.getTime()).toBe(retry.maxDelayMs);
    }
  });

  it('endless rate limiting ends dead after maxRateLimitedCalls', () => {
    const update = decideAfterSend(
      record({ attemptCount: 0, callCount: retry.maxRateLimitedCalls + 1 }),
      { outcome: 'temporary_fail', errorCode: 'provider_rate_limited' },
      retry,
      now,
    );
    expect(update.status).toBe('dead');
  });

  it('skipped → skipped with the reason', () => {
    expect(decideAfterSend(record(), { outcome: 'skipped', errorCode: 'x' }, retry, now)).toMatchObject({
      status: 'skipped',
      lastErrorCode: 'x',
    });
  });
});

import { ProviderErrorCode, type SendResult } from '../contract/index.js';
import type { RetryConfig } from '../config/gateway-config.js';
import type { NotificationRecord } from '../notification/notification-record.js';
import type { FinishUpdate } from '../notification/notification-store.js';

/** Codes that mean "not now" rather than "failed": they do not spend the attempt budget. */
const RATE_LIMIT_CODES: ReadonlySet<string> = new Set([
  ProviderErrorCode.rateLimited,
  ProviderErrorCode.inFlight,
]);

/**
 * Backoff before attempt `attemptsSpent + 1`: initial × multiplier^(attemptsSpent − 1), capped,
 * then full jitter (uniform in [0, delay]) so a burst of failures does not retry in lockstep.
 */
export function backoffDelayMs(config: RetryConfig, attemptsSpent: number, random: () => number): number {
  const exponent = Math.max(0, attemptsSpent - 1);
  const ceiling = Math.min(config.maxDelayMs, config.initialDelayMs * config.multiplier ** exponent);
  return config.jitter === 'full' ? Math.floor(random() * ceiling) : ceiling;
}

/** True when a temporary failure is a rate limit (no attempt spent, provider hint honoured). */
export function isRateLimited(result: SendResult): boolean {
  return result.outcome === 'temporary_fail' && RATE_LIMIT_CODES.has(result.errorCode ?? '');
}

/**
 * Decide how a finished provider call moves a `sending` record (docs/architecture.md §5, §6). The plugin
 * classified the call; this owns timing and the attempt budget. A provider's retry hint is honoured
 * up to `maxDelayMs`.
 */
export function decideAfterSend(
  record: NotificationRecord,
  result: SendResult,
  config: RetryConfig,
  now: Date,
  random: () => number = Math.random,
): FinishUpdate {
  const base = {
    now,
    providerMessageId: result.providerMessageId ?? null,
    lastErrorCode: result.outcome === 'success' ? null : (result.errorCode ?? 'unknown_error'),
    lastErrorMessage: result.outcome === 'success' ? null : (result.errorMessage ?? null),
    ...(result.fallbackUsed ? { fallbackUsed: true } : {}),
  };
  switch (result.outcome) {
    case 'success':
      return { ...base, status: 'sent', spendsAttempt: true, nextAttemptAt: now, sentAt: now };
    case 'skipped':
      return { ...base, status: 'skipped', spendsAttempt: true, nextAttemptAt: now, sentAt: null };
    case 'permanent_fail':
      return { ...base, status: 'dead', spendsAttempt: true, nextAttemptAt: now, sentAt: null };
    case 'temporary_fail':
      return decideTemporary(record, result, config, now, random, base);
  }
}

function decideTemporary(
  record: NotificationRecord,
  result: SendResult,
  config: RetryConfig,
  now: Date,
  random: () => number,
  base: Pick<
    FinishUpdate,
    'now' | 'providerMessageId' | 'lastErrorCode' | 'lastErrorMessage' | 'fallbackUsed'
  >,
): FinishUpdate {
  const rateLimited = isRateLimited(result);
  const spent = record.attemptCount + (rateLimited ? 0 : 1);
  const rateLimitedCalls = record.callCount - spent;
  const exhausted =
    spent >= record.maxAttempts || (rateLimited && rateLimitedCalls > config.maxRateLimitedCalls);
  if (exhausted) {
    return { ...base, status: 'dead', spendsAttempt: !rateLimited, nextAttemptAt: now, sentAt: null };
  }
  // A hint is the provider's word, not a promise to wait for it: capped like any backoff, so a
  // 1-year reset cannot park a record until next year, nor a far-future one overflow the date column.
  const hinted =
    result.retryAfterMs !== undefined && result.retryAfterMs >= 0
      ? Math.min(result.retryAfterMs, config.maxDelayMs)
      : undefined;
  // A rate limit without a hint still waits at least the initial delay, so it cannot spin.
  const delay = hinted ?? backoffDelayMs(config, Math.max(spent, 1), random);
  return {
    ...base,
    status: 'failed',
    spendsAttempt: !rateLimited,
    nextAttemptAt: new Date(now.getTime() + delay),
    sentAt: null,
  };
}

import type { NotificationRecord } from '../notification/notification-record.js';
import type { LeaseRecovery, RecordedAttempt } from './maintenance-store.js';

/** What to do with an unknown outcome on a provider without idempotency (`scanner.unknownOutcomePolicy`). */
export type UnknownOutcomePolicy = 'retry' | 'dead';

/** Error code of a record whose lease expired and that will be retried (or ran out of attempts). */
export const LEASE_EXPIRED = 'lease_expired';
/** Error code of a record parked as dead because a retry could send a duplicate. */
export const OUTCOME_UNKNOWN = 'outcome_unknown';

/**
 * Decide how a `sending` record whose worker vanished moves (docs/architecture.md §6 "Expired lease"). The lost
 * call spends an attempt like any failure. A provider with an idempotency key (Feishu app bot
 * `uuid`) dedupes the retry, so it is retried freely; without one the retry may duplicate, which is
 * flagged on the attempt, and policy `dead` parks the record instead of risking it.
 * `providerIdempotent` is false when the channel is no longer configured (nothing vouches for it).
 * When the worker stored the call's attempt row before dying, that recorded outcome decides instead.
 */
export function decideLeaseRecovery(
  record: Pick<NotificationRecord, 'attemptCount' | 'maxAttempts'>,
  providerIdempotent: boolean,
  policy: UnknownOutcomePolicy,
  recorded: RecordedAttempt | null = null,
): LeaseRecovery {
  if (recorded && recorded.outcome !== 'unknown') return fromRecorded(record, recorded);
  const possibleDuplicate = !providerIdempotent;
  if (possibleDuplicate && policy === 'dead') {
    return {
      status: 'dead',
      lastErrorCode: OUTCOME_UNKNOWN,
      lastErrorMessage:
        'worker lease expired mid-send; the provider has no idempotency key, so it is not retried',
      possibleDuplicate,
      fromRecordedAttempt: false,
    };
  }
  if (record.attemptCount + 1 >= record.maxAttempts) {
    return {
      status: 'dead',
      lastErrorCode: LEASE_EXPIRED,
      lastErrorMessage: 'worker lease expired mid-send and no attempts are left',
      possibleDuplicate,
      fromRecordedAttempt: false,
    };
  }
  return {
    status: 'failed',
    lastErrorCode: LEASE_EXPIRED,
    lastErrorMessage: 'worker lease expired mid-send; retrying',
    possibleDuplicate,
    fromRecordedAttempt: false,
  };
}

/**
 * The worker stored the provider's answer and died before moving the record: that answer decides,
 * exactly as the worker's finish would have (a success is never sent again). A temporary failure
 * is retried now while attempts are left.
 */
function fromRecorded(
  record: Pick<NotificationRecord, 'attemptCount' | 'maxAttempts'>,
  recorded: RecordedAttempt,
): LeaseRecovery {
  const known = { possibleDuplicate: false, fromRecordedAttempt: true } as const;
  const error = {
    lastErrorCode: recorded.errorCode ?? 'unknown_error',
    lastErrorMessage: recorded.errorMessage,
  };
  switch (recorded.outcome) {
    case 'success':
      return { ...known, status: 'sent', lastErrorCode: null, lastErrorMessage: null };
    case 'skipped':
      return { ...known, ...error, status: 'skipped' };
    case 'permanent_fail':
      return { ...known, ...error, status: 'dead' };
    default:
      return {
        ...known,
        ...error,
        status: record.attemptCount + 1 >= record.maxAttempts ? 'dead' : 'failed',
      };
  }
}

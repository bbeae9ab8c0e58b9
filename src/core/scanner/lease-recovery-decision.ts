import type { NotificationRecord } from '../notification/notification-record.js';
import type { LeaseRecovery } from './maintenance-store.js';

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
 */
export function decideLeaseRecovery(
  record: Pick<NotificationRecord, 'attemptCount' | 'maxAttempts'>,
  providerIdempotent: boolean,
  policy: UnknownOutcomePolicy,
): LeaseRecovery {
  const possibleDuplicate = !providerIdempotent;
  if (possibleDuplicate && policy === 'dead') {
    return {
      status: 'dead',
      lastErrorCode: OUTCOME_UNKNOWN,
      lastErrorMessage:
        'worker lease expired mid-send; the provider has no idempotency key, so it is not retried',
      possibleDuplicate,
    };
  }
  if (record.attemptCount + 1 >= record.maxAttempts) {
    return {
      status: 'dead',
      lastErrorCode: LEASE_EXPIRED,
      lastErrorMessage: 'worker lease expired mid-send and no attempts are left',
      possibleDuplicate,
    };
  }
  return {
    status: 'failed',
    lastErrorCode: LEASE_EXPIRED,
    lastErrorMessage: 'worker lease expired mid-send; retrying',
    possibleDuplicate,
  };
}

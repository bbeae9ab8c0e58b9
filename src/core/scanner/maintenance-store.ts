import type { RecoveredStatus } from '../notification/status-machine.js';
import type { AttemptRecord, NotificationRecord } from '../notification/notification-record.js';

/** A record the outbox relay touched and must republish. */
export interface RelayedRecord {
  readonly id: string;
  readonly channel: string;
}

/** How an expired `sending` record is moved (decided by the core, written by the store). */
export interface LeaseRecovery {
  readonly status: RecoveredStatus;
  readonly lastErrorCode: string | null;
  readonly lastErrorMessage: string | null;
  /** The lost call may have delivered and the provider cannot dedupe a retry. */
  readonly possibleDuplicate: boolean;
  /**
   * True when the call's own attempt row was found (the worker recorded the provider's answer and
   * died before the transition): nothing more is written to notification_attempts. False writes
   * the attempt row with outcome `unknown`.
   */
  readonly fromRecordedAttempt: boolean;
}

/** The attempt row a worker stored for the claimed call, as lease recovery reads it. */
export type RecordedAttempt = Pick<AttemptRecord, 'outcome' | 'errorCode' | 'errorMessage'>;

/** A recovered record after its transition, with the recovery that was applied. */
export interface RecoveredLease {
  readonly record: NotificationRecord;
  readonly recovery: LeaseRecovery;
}

/**
 * The scanner's queries over notification_records (docs/architecture.md §6 "Lost messages", "Expired lease").
 * Database time decides what is due; rows are claimed with SELECT … FOR UPDATE SKIP LOCKED inside
 * a transaction, so several scanners split the work instead of repeating it.
 */
export interface MaintenanceStore {
  /**
   * Claim up to `limit` pending|failed|scheduled rows whose next_attempt_at and updated_at are both
   * older than `graceMs` (their message should have arrived by now), touch updated_at (version
   * unchanged, so an in-flight claim is unaffected) and return them for republishing.
   */
  claimLostMessages(graceMs: number, limit: number): Promise<RelayedRecord[]>;
  /**
   * Claim up to `limit` `sending` rows whose lease expired, and for each apply `decide`, which is
   * given the attempt row the worker stored for the claimed call (attempt_no = call_count), if any:
   * a compare-and-set on (id, status = sending, version) to the decided status, due now, plus an
   * attempt row with outcome `unknown` unless the recorded one was used. A worker finishing late
   * then matches nothing and writes nothing.
   */
  recoverExpiredLeases(
    limit: number,
    decide: (record: NotificationRecord, recorded: RecordedAttempt | null) => LeaseRecovery,
    /** Only leases expired at least this long ago (database time); default 0. */
    graceMs?: number,
  ): Promise<RecoveredLease[]>;
}

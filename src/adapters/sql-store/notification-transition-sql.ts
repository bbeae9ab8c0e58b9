import type { AttemptRecord, NotificationRecord } from '../../core/notification/notification-record.js';
import type { ClaimRequest, FinishUpdate } from '../../core/notification/notification-store.js';
import { NOTIFICATION_COLUMN_LIMITS as LIMITS } from './notification-record-entity.js';
import { ATTEMPT_COLUMNS } from './notification-rows.js';
import { placeholders } from './raw-sql.js';
import { movesFrom, movesTo } from './status-sql.js';
import { STATUS_MOVES } from '../../core/notification/status-machine.js';
import { toJsonText, truncate } from './row-values.js';

/*
 * The statements that move a record (claim, finish, redrive, cancel), single and batched, and the
 * rows they write, so the store can answer without reading back. Every transition is a
 * compare-and-set: its WHERE carries the state it expects.
 */

// Error text from a provider can be a whole HTML page; it must never make a transition fail.
const MAX_ERROR_MESSAGE = 4000;

// mysql2 reports matched rows as affectedRows (SQLite: changed rows), so each WHERE carries the
// expected state (docs/architecture.md §8) and both count the same.
const CLAIM_SET = `UPDATE notification_records
  SET status = ${movesTo(STATUS_MOVES.claim)}, lease_owner = ?, lease_expires_at = ?, version = version + 1,
      call_count = call_count + 1, updated_at = ?`;
export const CLAIM_BY_ID_SQL = `${CLAIM_SET}
  WHERE id = ? AND ${movesFrom(STATUS_MOVES.claim)} AND next_attempt_at <= ?`;
/** Followed by one `(id = ? AND version = ?)` term per claim, OR-ed in parentheses. */
export const CLAIM_SQL = `${CLAIM_SET}
  WHERE ${movesFrom(STATUS_MOVES.claim)} AND next_attempt_at <= ?`;

const ATTEMPT_COLUMN_LIST = ATTEMPT_COLUMNS.split(', ');

/**
 * The attempt rows of several finishes, each inserted only while its record is still the claimed
 * `sending` row (the same compare-and-set as INSERT_FINISH_ATTEMPT_SQL, row by row).
 */
export function insertFinishAttemptsSql(rows: number): string {
  const first = `SELECT ${[...ATTEMPT_COLUMN_LIST, 'expected_version'].map((column) => `? AS ${column}`).join(', ')}`;
  const others = Array.from(
    { length: rows - 1 },
    () => ` UNION ALL SELECT ${placeholders(ATTEMPT_COLUMN_LIST.length + 1)}`,
  );
  return `INSERT INTO notification_attempts (${ATTEMPT_COLUMNS})
  SELECT ${ATTEMPT_COLUMN_LIST.map((column) => `v.${column}`).join(', ')}
  FROM (${first}${others.join('')}) v
  JOIN notification_records r
    ON r.id = v.notification_id AND r.${movesFrom(STATUS_MOVES.finish)} AND r.version = v.expected_version`;
}

/** Columns a finish sets per row, each as `CASE id WHEN ? THEN ? … END` in the batched UPDATE. */
const FINISH_CASE_COLUMNS = [
  'status',
  'next_attempt_at',
  'last_error_code',
  'last_error_message',
  'provider_message_id',
  'sent_at',
  'updated_at',
  'fallback_used',
] as const;

/** FINISH_SQL for several claimed rows at once, each under its own version compare-and-set. */
export function finishManySql(rows: number): string {
  // Parameters: (id, value) pairs per column in FINISH_CASE_COLUMNS order, then the attempt increments.
  const perRow = `CASE id ${Array.from({ length: rows }, () => 'WHEN ? THEN ?').join(' ')} END`;
  return `UPDATE notification_records
  SET ${FINISH_CASE_COLUMNS.map((column) => `${column} = ${perRow}`).join(', ')},
      attempt_count = attempt_count + ${perRow},
      lease_owner = NULL, lease_expires_at = NULL, version = version + 1
  WHERE ${movesFrom(STATUS_MOVES.finish)} AND (${Array.from({ length: rows }, () => '(id = ? AND version = ?)').join(' OR ')})`;
}

/** The columns a finish writes as text, cut to what the table holds. */
export function finishValues(update: FinishUpdate) {
  return {
    lastErrorCode: truncate(update.lastErrorCode, LIMITS.lastErrorCode),
    lastErrorMessage: truncate(update.lastErrorMessage, MAX_ERROR_MESSAGE),
    providerMessageId: truncate(update.providerMessageId, LIMITS.providerMessageId),
  };
}

export const FINISH_SQL = `UPDATE notification_records
  SET status = ?, attempt_count = attempt_count + ?, next_attempt_at = ?, last_error_code = ?,
      last_error_message = ?, provider_message_id = ?, sent_at = ?, lease_owner = NULL,
      lease_expires_at = NULL, version = version + 1, updated_at = ?,
      fallback_used = CASE WHEN ? = 1 THEN 1 ELSE fallback_used END
  WHERE id = ? AND ${movesFrom(STATUS_MOVES.finish)} AND version = ?`;
// The attempt row of a finish, inserted only while the record is still the claimed `sending` row:
// written before the state change, so no reader ever sees a state without the call behind it.
export const INSERT_FINISH_ATTEMPT_SQL = `INSERT INTO notification_attempts (${ATTEMPT_COLUMNS})
  SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM notification_records
  WHERE id = ? AND ${movesFrom(STATUS_MOVES.finish)} AND version = ?`;
// last_error_* stay on redrive: they are the history an operator redrove from.
export const REDRIVE_SQL = `UPDATE notification_records
  SET status = ${movesTo(STATUS_MOVES.redrive)}, attempt_count = 0, max_attempts = ?, next_attempt_at = ?, lease_owner = NULL,
      lease_expires_at = NULL, version = version + 1, updated_at = ?
  WHERE id = ? AND ${movesFrom(STATUS_MOVES.redrive)}`;
export const CANCEL_SQL = `UPDATE notification_records
  SET status = ${movesTo(STATUS_MOVES.cancel)}, lease_owner = NULL, lease_expires_at = NULL, version = version + 1, updated_at = ?
  WHERE id = ? AND ${movesFrom(STATUS_MOVES.cancel)}`;

/** The row CLAIM_SQL writes, from the row it matched. */
export function claimedFrom(expected: NotificationRecord, request: ClaimRequest): NotificationRecord {
  return {
    ...expected,
    status: STATUS_MOVES.claim.to[0],
    leaseOwner: request.leaseOwner,
    leaseExpiresAt: request.leaseExpiresAt,
    version: expected.version + 1,
    callCount: expected.callCount + 1,
    updatedAt: request.now,
  };
}

/** The row FINISH_SQL writes, from the claimed row it matched. */
export function finishedFrom(
  claimed: NotificationRecord,
  update: FinishUpdate,
  values: { lastErrorCode: string | null; lastErrorMessage: string | null; providerMessageId: string | null },
): NotificationRecord {
  return {
    ...claimed,
    ...values,
    status: update.status,
    fallbackUsed: claimed.fallbackUsed || Boolean(update.fallbackUsed),
    attemptCount: claimed.attemptCount + (update.spendsAttempt ? 1 : 0),
    nextAttemptAt: update.nextAttemptAt,
    sentAt: update.sentAt,
    leaseOwner: null,
    leaseExpiresAt: null,
    version: claimed.version + 1,
    updatedAt: update.now,
  };
}

export function attemptParams(attempt: AttemptRecord): unknown[] {
  // Order follows ATTEMPT_COLUMNS.
  return [
    attempt.notificationId,
    attempt.attemptNo,
    attempt.outcome,
    truncate(attempt.errorCode, LIMITS.lastErrorCode),
    truncate(attempt.errorMessage, MAX_ERROR_MESSAGE),
    toJsonText(attempt.requestPayload),
    toJsonText(attempt.responsePayload),
    Math.max(0, Math.round(attempt.durationMs)),
    attempt.startedAt,
    attempt.possibleDuplicate ? 1 : 0,
  ];
}

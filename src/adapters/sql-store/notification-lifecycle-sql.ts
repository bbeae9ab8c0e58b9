import type { DataSource } from 'typeorm';
import type { AttemptRecord } from '../../core/notification/notification-record.js';
import { NOTIFICATION_COLUMN_LIMITS as LIMITS } from './notification-record-entity.js';
import { ATTEMPT_COLUMNS } from './notification-rows.js';
import { execute, placeholders, select } from './raw-sql.js';
import { toJsonText, truncate } from './row-values.js';

/*
 * What happens to a record after it was sent (issue 15): acknowledgement, recall, and the attempt
 * rows of card updates and recalls. None of it moves the status, so none of it touches version:
 * a worker's compare-and-set never loses to an acknowledgement.
 */

const MAX_ERROR_MESSAGE = 4000;

/** Acknowledges the ids not yet acknowledged; returns the ids this call changed. */
export async function acknowledgeRecords(
  dataSource: DataSource,
  ids: readonly string[],
  by: string,
  at: Date,
): Promise<string[]> {
  const changed: string[] = [];
  // One statement per id: affectedRows tells which ones this call (not a concurrent one) changed.
  for (const id of ids) {
    const moved = await execute(
      dataSource,
      `UPDATE notification_records SET acknowledged_at = ?, acknowledged_by = ?, updated_at = ?
        WHERE id = ? AND acknowledged_at IS NULL`,
      [at, truncate(by, 191), at, id],
    );
    if (moved > 0) changed.push(id);
  }
  return changed;
}

/** Sets recalled_at on a sent, not yet recalled record. */
export async function markRecordRecalled(dataSource: DataSource, id: string, at: Date): Promise<boolean> {
  const moved = await execute(
    dataSource,
    `UPDATE notification_records SET recalled_at = ?, updated_at = ?
      WHERE id = ? AND status = 'sent' AND recalled_at IS NULL`,
    [at, at, id],
  );
  return moved > 0;
}

/**
 * Inserts a lifecycle attempt numbered after the record's last one. Two concurrent lifecycle calls
 * may read the same last number; attempt_no is not unique, and the rows stay ordered by id.
 */
export async function insertLifecycleAttempt(dataSource: DataSource, attempt: AttemptRecord): Promise<void> {
  const rows = await select(
    dataSource,
    'SELECT COALESCE(MAX(attempt_no), 0) AS last_no FROM notification_attempts WHERE notification_id = ?',
    [attempt.notificationId],
  );
  const last = Number(rows[0]?.['last_no'] ?? 0);
  await execute(
    dataSource,
    `INSERT INTO notification_attempts (${ATTEMPT_COLUMNS}, kind) VALUES (${placeholders(11)})`,
    [
      attempt.notificationId,
      last + 1,
      attempt.outcome,
      truncate(attempt.errorCode, LIMITS.lastErrorCode),
      truncate(attempt.errorMessage, MAX_ERROR_MESSAGE),
      toJsonText(attempt.requestPayload),
      toJsonText(attempt.responsePayload),
      Math.max(0, Math.round(attempt.durationMs)),
      attempt.startedAt,
      attempt.possibleDuplicate ? 1 : 0,
      attempt.kind ?? 'send',
    ],
  );
}

import type { NewNotification, NotificationRecord } from '../../core/notification/notification-record.js';
import { NOTIFICATION_COLUMNS } from './notification-rows.js';
import { placeholders } from './raw-sql.js';

/*
 * The statements that create a record (a trigger's insert, single and batched) and find the row a
 * repeated dedupe key already holds, with the values a new row starts from.
 */

const ROW_PLACEHOLDERS = `(${placeholders(NOTIFICATION_COLUMNS.split(',').length)})`;
/** A plain multi-row INSERT: all or nothing, so a duplicate key anywhere stores none of the rows. */
export const insertSql = (rows: number): string =>
  `INSERT INTO notification_records (${NOTIFICATION_COLUMNS}) VALUES ${Array.from({ length: rows }, () => ROW_PLACEHOLDERS).join(', ')}`;
export const INSERT_SQL = insertSql(1);

export const SELECT_BY_DEDUPE = `SELECT ${NOTIFICATION_COLUMNS} FROM notification_records
  WHERE user_id = ? AND channel = ? AND dedupe_key = ?`;

export function insertParams(record: NewNotification, now: Date): unknown[] {
  // The counters are the ones the store answers with, so the stored row and the answer agree.
  const fresh = newRecordCounters(now);
  // Order follows NOTIFICATION_COLUMNS.
  return [
    record.id,
    record.userId,
    record.channel,
    record.plugin,
    record.triggerId,
    record.triggerType,
    record.previewId,
    record.targetType,
    record.targetId,
    record.targetUrl,
    record.messageText,
    record.fallbackUsed ? 1 : 0,
    record.traceId,
    record.dedupeKey,
    record.critical ? 1 : 0,
    JSON.stringify(record.metadata),
    record.status,
    fresh.attemptCount,
    fresh.callCount,
    record.maxAttempts,
    record.nextAttemptAt,
    fresh.leaseOwner,
    fresh.leaseExpiresAt,
    record.lastErrorCode,
    record.lastErrorMessage,
    fresh.providerMessageId,
    record.scheduledAt,
    fresh.sentAt,
    fresh.acknowledgedAt,
    fresh.acknowledgedBy,
    fresh.recalledAt,
    fresh.createdAt,
    fresh.updatedAt,
    fresh.version,
    record.callback ?? '',
    record.requestHash,
  ];
}

/** The record a store answers with right after inserting `record` at `now` (the row as written). */
export function insertedRecord(record: NewNotification, now: Date): NotificationRecord {
  return { ...record, callback: record.callback ?? '', ...newRecordCounters(now) };
}

/** The values every new record starts from, besides what the trigger gave it. */
export function newRecordCounters(now: Date) {
  return {
    attemptCount: 0,
    callCount: 0,
    leaseOwner: null,
    leaseExpiresAt: null,
    providerMessageId: null,
    sentAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    recalledAt: null,
    createdAt: now,
    updatedAt: now,
    version: 1,
  } satisfies Partial<NotificationRecord>;
}

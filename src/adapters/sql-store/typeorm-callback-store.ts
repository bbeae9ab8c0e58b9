import type { DataSource } from 'typeorm';
import type {
  CallbackAttemptUpdate,
  CallbackDelivery,
  CallbackDeliveryStatus,
  CallbackStore,
} from '../../core/callbacks/callback-store.js';
import { execute, select } from './raw-sql.js';
import {
  readDate,
  readInt,
  readNullableDate,
  readNullableText,
  readText,
  type RawRow,
} from './row-values.js';
import type { SqlDialect } from './sql-dialect.js';

const COLUMNS = [
  'id',
  'callback_id',
  'notification_id',
  'event_type',
  'payload',
  'status',
  'attempt_count',
  'next_attempt_at',
  'last_error',
  'last_status_code',
  'delivered_at',
  'created_at',
  'version',
].join(', ');

function mapRow(row: RawRow): CallbackDelivery {
  const code = row.last_status_code;
  return {
    id: readText(row, 'id'),
    callbackId: readText(row, 'callback_id'),
    notificationId: readText(row, 'notification_id'),
    eventType: readText(row, 'event_type'),
    payload: readText(row, 'payload'),
    status: readText(row, 'status') as CallbackDeliveryStatus,
    attemptCount: readInt(row, 'attempt_count'),
    nextAttemptAt: readDate(row, 'next_attempt_at'),
    lastError: readNullableText(row, 'last_error'),
    lastStatusCode: code === null || code === undefined ? null : Number(code),
    deliveredAt: readNullableDate(row, 'delivered_at'),
    createdAt: readDate(row, 'created_at'),
    version: readInt(row, 'version'),
  };
}

/** CallbackStore on the gateway's DataSource (MySQL/MariaDB or the embedded SQLite store). */
export class TypeormCallbackStore implements CallbackStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly dialect: SqlDialect,
  ) {}

  async enqueue(
    delivery: Pick<CallbackDelivery, 'id' | 'callbackId' | 'notificationId' | 'eventType' | 'payload'>,
    now: Date,
  ): Promise<boolean> {
    try {
      await execute(
        this.dataSource,
        `INSERT INTO callback_deliveries (id, callback_id, notification_id, event_type, payload, status,
          attempt_count, next_attempt_at, created_at, updated_at, version)
         VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, 1)`,
        [
          delivery.id,
          delivery.callbackId,
          delivery.notificationId,
          delivery.eventType,
          delivery.payload,
          now,
          now,
          now,
        ],
      );
      return true;
    } catch (error) {
      if (this.dialect.isDuplicateKey(error)) return false;
      throw error;
    }
  }

  async claimDue(now: Date, leaseUntil: Date, limit: number): Promise<CallbackDelivery[]> {
    const due = await select(
      this.dataSource,
      `SELECT ${COLUMNS} FROM callback_deliveries WHERE status = 'pending' AND next_attempt_at <= ?
       ORDER BY next_attempt_at LIMIT ${Math.max(1, Math.floor(limit))}`,
      [now],
    );
    const claimed: CallbackDelivery[] = [];
    for (const row of due.map(mapRow)) {
      // Compare-and-set on the version read: a row another worker claimed meanwhile matches nothing.
      const won = await execute(
        this.dataSource,
        `UPDATE callback_deliveries SET next_attempt_at = ?, attempt_count = attempt_count + 1,
           version = version + 1, updated_at = ?
         WHERE id = ? AND version = ? AND status = 'pending'`,
        [leaseUntil, now, row.id, row.version],
      );
      if (won === 1) {
        claimed.push({
          ...row,
          nextAttemptAt: leaseUntil,
          attemptCount: row.attemptCount + 1,
          version: row.version + 1,
        });
      }
    }
    return claimed;
  }

  async finishAttempt(id: string, version: number, update: CallbackAttemptUpdate): Promise<boolean> {
    const moved = await execute(
      this.dataSource,
      `UPDATE callback_deliveries SET status = ?, next_attempt_at = ?, last_error = ?, last_status_code = ?,
         delivered_at = ?, updated_at = ?, version = version + 1
       WHERE id = ? AND version = ?`,
      [
        update.status,
        update.nextAttemptAt,
        update.lastError,
        update.lastStatusCode,
        update.deliveredAt,
        update.now,
        id,
        version,
      ],
    );
    return moved === 1;
  }

  async listForNotification(notificationId: string): Promise<CallbackDelivery[]> {
    const rows = await select(
      this.dataSource,
      `SELECT ${COLUMNS} FROM callback_deliveries WHERE notification_id = ? ORDER BY created_at, id`,
      [notificationId],
    );
    return rows.map(mapRow);
  }
}

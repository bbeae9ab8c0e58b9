import type { DataSource, QueryRunner } from 'typeorm';
import type { NotificationRecord } from '../../core/notification/notification-record.js';
import type {
  LeaseRecovery,
  MaintenanceStore,
  RecordedAttempt,
  RecoveredLease,
  RelayedRecord,
} from '../../core/scanner/maintenance-store.js';
import {
  ATTEMPT_COLUMNS,
  NOTIFICATION_COLUMNS,
  mapAttemptRow,
  mapNotificationRow,
} from './notification-rows.js';
import { execute, inTransaction, placeholders, select } from './raw-sql.js';
import { MYSQL_DIALECT, type SqlDialect } from './sql-dialect.js';
import { movesFrom, statusIn } from './status-sql.js';
import { CLAIMABLE_STATUSES, STATUS_MOVES } from '../../core/notification/status-machine.js';

// A record waiting for a claim is waiting for a message: the relay republishes exactly those.
const RELAYABLE = statusIn(CLAIMABLE_STATUSES);

/**
 * MaintenanceStore on a MySQL/MariaDB TypeORM DataSource: the outbox relay and lease recovery
 * queries, in raw SQL with the dialect's `now` and SKIP LOCKED claim.
 */
export class TypeormMaintenanceStore implements MaintenanceStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly dialect: SqlDialect = MYSQL_DIALECT,
  ) {}

  async claimLostMessages(graceMs: number, limit: number): Promise<RelayedRecord[]> {
    const { now, nowMinusMs, claimLock } = this.dialect;
    return inTransaction(this.dataSource, async (runner) => {
      // next_attempt_at past the grace too: a retry's delayed message is due at next_attempt_at, so
      // only one still missing a grace period later is lost. No ORDER BY: it would make InnoDB read
      // and lock the whole range for a filesort instead of stopping at LIMIT.
      const rows = await select(
        runner,
        `SELECT id, channel FROM notification_records
          WHERE ${RELAYABLE} AND next_attempt_at <= ${nowMinusMs} AND updated_at <= ${nowMinusMs}
          LIMIT ? ${claimLock}`,
        [graceMs, graceMs, limit],
      );
      const records = rows.map((row) => ({ id: String(row.id), channel: String(row.channel) }));
      if (records.length === 0) return records;
      // Version unchanged: the worker's claim is conditioned on status and due time, and its finish
      // on the version it claimed, so a touch can never make a legitimate transition fail.
      await execute(
        runner,
        `UPDATE notification_records SET updated_at = ${now}
          WHERE ${RELAYABLE} AND id IN (${placeholders(records.length)})`,
        records.map((record) => record.id),
      );
      return records;
    });
  }

  async recoverExpiredLeases(
    limit: number,
    decide: (record: NotificationRecord, recorded: RecordedAttempt | null) => LeaseRecovery,
    graceMs = 0,
  ): Promise<RecoveredLease[]> {
    const { nowMinusMs, claimLock } = this.dialect;
    const expired = `${movesFrom(STATUS_MOVES.recoverLease)} AND lease_expires_at < ${nowMinusMs}`;
    // Unlocked scan first: locking every `sending` row examined would stall live workers' finishes.
    const candidates = await select(
      this.dataSource,
      `SELECT id FROM notification_records WHERE ${expired} LIMIT ?`,
      [graceMs, limit],
    );
    if (candidates.length === 0) return [];
    const ids = candidates.map((row) => String(row.id));
    return inTransaction(this.dataSource, async (runner) => {
      const rows = await select(
        runner,
        `SELECT ${NOTIFICATION_COLUMNS} FROM notification_records
          WHERE id IN (${placeholders(ids.length)}) AND ${expired} ${claimLock}`,
        [...ids, graceMs],
      );
      const records = rows.map(mapNotificationRow);
      const recorded = await this.recordedAttempts(runner, records);
      const recovered: RecoveredLease[] = [];
      for (const record of records) {
        const recovery = decide(record, recorded.get(record.id) ?? null);
        const after = await this.recoverOne(runner, record, recovery);
        if (after) recovered.push({ record: after, recovery });
      }
      return recovered;
    });
  }

  /**
   * The attempt row each worker stored for its claimed call (attempt_no = call_count) before it
   * died, by record id. A finish writes that row before the transition, so a worker killed between
   * the two leaves the provider's answer here; the last row wins should a retried finish have
   * stored it twice.
   */
  private async recordedAttempts(
    runner: QueryRunner,
    records: readonly NotificationRecord[],
  ): Promise<Map<string, RecordedAttempt>> {
    const found = new Map<string, RecordedAttempt>();
    if (records.length === 0) return found;
    const rows = await select(
      runner,
      `SELECT ${ATTEMPT_COLUMNS} FROM notification_attempts
        WHERE ${records.map(() => '(notification_id = ? AND attempt_no = ?)').join(' OR ')}
        ORDER BY id`,
      records.flatMap((record) => [record.id, record.callCount]),
    );
    for (const attempt of rows.map(mapAttemptRow)) {
      if (attempt.outcome !== 'unknown') found.set(attempt.notificationId, attempt);
    }
    return found;
  }

  private async recoverOne(
    runner: QueryRunner,
    record: NotificationRecord,
    recovery: LeaseRecovery,
  ): Promise<NotificationRecord | null> {
    const { now } = this.dialect;
    // Compare-and-set on the claimed version: a worker that finishes late matches nothing.
    const moved = await execute(
      runner,
      `UPDATE notification_records
        SET status = ?, attempt_count = attempt_count + 1, next_attempt_at = ${now},
            last_error_code = ?, last_error_message = ?, lease_owner = NULL, lease_expires_at = NULL,
            sent_at = ${recovery.status === 'sent' ? now : 'sent_at'},
            version = version + 1, updated_at = ${now}
        WHERE id = ? AND ${movesFrom(STATUS_MOVES.recoverLease)} AND version = ?`,
      [recovery.status, recovery.lastErrorCode, recovery.lastErrorMessage, record.id, record.version],
    );
    if (moved === 0) return null;
    if (recovery.fromRecordedAttempt) return this.reread(runner, record.id);
    // The claim wrote updated_at; the lost call ran somewhere between it and the lease's expiry.
    const startedAt = record.updatedAt;
    const leaseEnd = record.leaseExpiresAt ?? startedAt;
    await execute(
      runner,
      `INSERT INTO notification_attempts (${ATTEMPT_COLUMNS}) VALUES (${placeholders(10)})`,
      [
        record.id,
        record.callCount,
        'unknown',
        'lease_expired',
        `lease of ${record.leaseOwner ?? 'a worker'} expired mid-send; provider outcome unknown`,
        null,
        null,
        Math.max(0, leaseEnd.getTime() - startedAt.getTime()),
        startedAt,
        recovery.possibleDuplicate ? 1 : 0,
      ],
    );
    return this.reread(runner, record.id);
  }

  private async reread(runner: QueryRunner, id: string): Promise<NotificationRecord | null> {
    const rows = await select(
      runner,
      `SELECT ${NOTIFICATION_COLUMNS} FROM notification_records WHERE id = ?`,
      [id],
    );
    return rows[0] === undefined ? null : mapNotificationRow(rows[0]);
  }
}

import type { DataSource } from 'typeorm';
import type { JobInsertResult, JobListPage, JobListQuery, JobStore } from '../../core/schedule/job-store.js';
import { serializeJobPayload } from '../../core/schedule/job-payload.js';
import type { NewScheduledJob, ScheduledJob } from '../../core/schedule/scheduled-job.js';
import { decodeListCursor, encodeListCursor } from './list-cursor.js';

import { JOB_FAILURE_MESSAGE_LENGTH } from './scheduled-job-entity.js';
import { JOB_COLUMNS, mapJobRow } from './scheduled-job-rows.js';
import { truncate } from './row-values.js';
import { execute, inTransaction, placeholders, select } from './raw-sql.js';
import { MYSQL_DIALECT, type SqlDialect } from './sql-dialect.js';

const INSERT_SQL = `INSERT INTO scheduled_jobs
  (job_key, user_id, due_at, status, trigger_payload, payload_hash, created_at, updated_at)
  VALUES (?, ?, ?, 'waiting', ?, ?, ?, ?)`;
const SELECT_BY_KEY = `SELECT ${JOB_COLUMNS} FROM scheduled_jobs WHERE job_key = ?`;
// The expected state sits in every WHERE: mysql2 counts matched rows (docs/architecture.md §8).
const CANCEL_SQL = `UPDATE scheduled_jobs SET status = 'cancelled', updated_at = ?
  WHERE job_key = ? AND status = 'waiting'`;

/**
 * JobStore on a MySQL/MariaDB TypeORM DataSource, in raw SQL like the notification store. The two
 * scanner claims lock with the dialect's SKIP LOCKED so concurrent scanners take disjoint rows.
 */
export class TypeormJobStore implements JobStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly dialect: SqlDialect = MYSQL_DIALECT,
  ) {}

  async insertOrFind(job: NewScheduledJob, now: Date): Promise<JobInsertResult> {
    try {
      await execute(this.dataSource, INSERT_SQL, [
        job.jobKey,
        job.userId,
        job.dueAt,
        serializeJobPayload(job),
        job.payloadHash,
        now,
        now,
      ]);
    } catch (error) {
      if (!this.dialect.isDuplicateKey(error)) throw error;
      const existing = await this.findByKey(job.jobKey);
      if (!existing) throw error;
      return { job: existing, inserted: false };
    }
    const inserted: ScheduledJob = {
      ...job,
      event: job.event ?? null,
      status: 'waiting',
      firedAt: null,
      notificationIds: null,
      failureReason: null,
      failureMessage: null,
      createdAt: now,
      updatedAt: now,
    };
    return { job: inserted, inserted: true };
  }

  async findByKey(jobKey: string): Promise<ScheduledJob | null> {
    const rows = await select(this.dataSource, SELECT_BY_KEY, [jobKey]);
    return rows[0] === undefined ? null : mapJobRow(rows[0]);
  }

  async cancel(jobKey: string, now: Date): Promise<ScheduledJob | null> {
    const moved = await execute(this.dataSource, CANCEL_SQL, [now, jobKey]);
    return moved === 0 ? null : this.findByKey(jobKey);
  }

  async list(query: JobListQuery): Promise<JobListPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.userId !== undefined) {
      where.push('user_id = ?');
      params.push(query.userId);
    }
    if (query.status !== undefined) {
      where.push('status = ?');
      params.push(query.status);
    }
    if (query.cursor !== undefined && query.cursor !== '') {
      // The shared keyset token carries (due_at, job_key) here: ascending, job_key breaks ties.
      const cursor = decodeListCursor(query.cursor);
      where.push('(due_at > ? OR (due_at = ? AND job_key > ?))');
      params.push(cursor.createdAt, cursor.createdAt, cursor.id);
    }
    const sql = `SELECT ${JOB_COLUMNS} FROM scheduled_jobs
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY due_at, job_key LIMIT ?`;
    const rows = await select(this.dataSource, sql, [...params, query.limit + 1]);
    const jobs = rows.slice(0, query.limit).map(mapJobRow);
    const last = jobs[jobs.length - 1];
    const nextCursor =
      rows.length > query.limit && last !== undefined
        ? encodeListCursor({ createdAt: last.dueAt, id: last.jobKey })
        : undefined;
    return { jobs, nextCursor };
  }

  async fireDue(limit: number): Promise<string[]> {
    const { now, claimLock } = this.dialect;
    return inTransaction(this.dataSource, async (runner) => {
      const rows = await select(
        runner,
        `SELECT job_key FROM scheduled_jobs WHERE status = 'waiting' AND due_at <= ${now}
          ORDER BY due_at LIMIT ? ${claimLock}`,
        [limit],
      );
      const keys = rows.map((row) => String(row.job_key));
      if (keys.length === 0) return keys;
      // Marked in the claim's transaction: once committed no other scanner can fire these again.
      await execute(
        runner,
        `UPDATE scheduled_jobs SET status = 'triggered', fired_at = ${now}, updated_at = ${now}
          WHERE status = 'waiting' AND job_key IN (${placeholders(keys.length)})`,
        keys,
      );
      return keys;
    });
  }

  async claimStalled(graceMs: number, limit: number): Promise<string[]> {
    const { now, nowMinusMs, claimLock } = this.dialect;
    const stalled = `status = 'triggered' AND notification_ids IS NULL AND updated_at <= ${nowMinusMs}`;
    // Every fired job stays `triggered`, so the scan walks history: do it without locks, then lock
    // only the candidates, by primary key, re-checking the condition under the lock.
    const candidates = await select(
      this.dataSource,
      `SELECT job_key FROM scheduled_jobs WHERE ${stalled} ORDER BY updated_at LIMIT ?`,
      [graceMs, limit],
    );
    if (candidates.length === 0) return [];
    const candidateKeys = candidates.map((row) => String(row.job_key));
    return inTransaction(this.dataSource, async (runner) => {
      const rows = await select(
        runner,
        `SELECT job_key FROM scheduled_jobs
          WHERE job_key IN (${placeholders(candidateKeys.length)}) AND ${stalled} ${claimLock}`,
        [...candidateKeys, graceMs],
      );
      const keys = rows.map((row) => String(row.job_key));
      if (keys.length === 0) return keys;
      // The touch restarts the grace period, so each stalled job is republished once per period.
      await execute(
        runner,
        `UPDATE scheduled_jobs SET updated_at = ${now}
          WHERE status = 'triggered' AND notification_ids IS NULL
            AND job_key IN (${placeholders(keys.length)})`,
        keys,
      );
      return keys;
    });
  }

  async markFailed(jobKey: string, reason: string, message: string): Promise<boolean> {
    const moved = await execute(
      this.dataSource,
      `UPDATE scheduled_jobs SET status = 'failed', failure_reason = ?, failure_message = ?,
          updated_at = ${this.dialect.now}
        WHERE job_key = ? AND status = 'triggered' AND notification_ids IS NULL`,
      [truncate(reason, 64), truncate(message, JOB_FAILURE_MESSAGE_LENGTH), jobKey],
    );
    return moved > 0;
  }

  async recordNotifications(jobKey: string, notificationIds: readonly string[]): Promise<boolean> {
    const moved = await execute(
      this.dataSource,
      `UPDATE scheduled_jobs SET notification_ids = ?, updated_at = ${this.dialect.now}
        WHERE job_key = ? AND status = 'triggered' AND notification_ids IS NULL`,
      [JSON.stringify(notificationIds), jobKey],
    );
    return moved > 0;
  }
}

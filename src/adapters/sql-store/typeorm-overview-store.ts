import type { DataSource } from 'typeorm';
import type { NotificationStatus } from '../../core/notification/notification-record.js';
import type {
  ErrorCodeCount,
  MinuteOutcomeCount,
  OverviewStore,
  StatusChannelCount,
} from '../../core/operations/overview-store.js';
import { select } from './raw-sql.js';
import { readDate, readInt, readText, type RawRow } from './row-values.js';
import { MYSQL_DIALECT, type SqlDialect } from './sql-dialect.js';

const FAILED_OUTCOMES = "('temporary_fail', 'permanent_fail', 'unknown')";

/**
 * OverviewStore in raw SQL. The per-minute and recent-error queries read only the last hour of
 * attempts through idx_notification_attempts_started; DEAD records come from the (status, …) index.
 */
export class TypeormOverviewStore implements OverviewStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly dialect: SqlDialect = MYSQL_DIALECT,
  ) {}

  async countByStatusAndChannel(): Promise<StatusChannelCount[]> {
    const rows = await select(
      this.dataSource,
      'SELECT status, channel, COUNT(*) AS n FROM notification_records GROUP BY status, channel',
      [],
    );
    return rows.map((row) => ({
      status: readText(row, 'status') as NotificationStatus,
      channel: readText(row, 'channel'),
      count: readInt(row, 'n'),
    }));
  }

  async outcomesPerMinute(since: Date): Promise<MinuteOutcomeCount[]> {
    const attemptMinute = this.dialect.minuteOf('started_at');
    const deadMinute = this.dialect.minuteOf('updated_at');
    const [attempts, dead] = await Promise.all([
      select(
        this.dataSource,
        `SELECT ${attemptMinute} AS minute,
                SUM(CASE WHEN outcome = 'success' THEN 1 ELSE 0 END) AS sent,
                SUM(CASE WHEN outcome IN ${FAILED_OUTCOMES} THEN 1 ELSE 0 END) AS failed
           FROM notification_attempts WHERE started_at >= ? GROUP BY ${attemptMinute}`,
        [since],
      ),
      select(
        this.dataSource,
        `SELECT ${deadMinute} AS minute, COUNT(*) AS dead FROM notification_records
          WHERE status = 'dead' AND updated_at >= ? GROUP BY ${deadMinute}`,
        [since],
      ),
    ]);
    const byMinute = new Map<string, { sent: number; failed: number; dead: number }>();
    const entry = (minute: string) => {
      let found = byMinute.get(minute);
      if (!found) byMinute.set(minute, (found = { sent: 0, failed: 0, dead: 0 }));
      return found;
    };
    for (const row of attempts) {
      const counts = entry(readText(row, 'minute'));
      counts.sent += readInt(row, 'sent');
      counts.failed += readInt(row, 'failed');
    }
    for (const row of dead) entry(readText(row, 'minute')).dead += readInt(row, 'dead');
    return [...byMinute].map(([minute, counts]) => ({ minute: minuteStart(minute), ...counts }));
  }

  async failedAttemptsByError(since: Date, limit: number): Promise<ErrorCodeCount[]> {
    const rows = await select(
      this.dataSource,
      `SELECT a.error_code, r.channel, COUNT(*) AS n, MAX(a.started_at) AS last_seen_at
         FROM notification_attempts a JOIN notification_records r ON r.id = a.notification_id
        WHERE a.started_at >= ? AND a.outcome IN ${FAILED_OUTCOMES}
        GROUP BY a.error_code, r.channel ORDER BY n DESC, a.error_code LIMIT ?`,
      [since, limit],
    );
    return rows.map(errorCodeCount);
  }

  async deadByError(limit: number): Promise<ErrorCodeCount[]> {
    const rows = await select(
      this.dataSource,
      `SELECT last_error_code AS error_code, channel, COUNT(*) AS n, MAX(updated_at) AS last_seen_at
         FROM notification_records WHERE status = 'dead'
        GROUP BY last_error_code, channel ORDER BY n DESC, last_error_code LIMIT ?`,
      [limit],
    );
    return rows.map(errorCodeCount);
  }
}

function errorCodeCount(row: RawRow): ErrorCodeCount {
  return {
    // An attempt without a code (a plugin that gave none) is still a failure worth counting.
    errorCode: row.error_code === null || row.error_code === undefined ? '' : readText(row, 'error_code'),
    channel: readText(row, 'channel'),
    count: readInt(row, 'n'),
    lastSeenAt: readDate(row, 'last_seen_at'),
  };
}

/** "YYYY-MM-DD HH:MM" (UTC) → that minute's first millisecond. */
function minuteStart(minute: string): Date {
  return new Date(`${minute.replace(' ', 'T')}:00Z`);
}

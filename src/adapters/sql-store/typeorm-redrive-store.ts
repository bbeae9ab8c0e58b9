import type { DataSource } from 'typeorm';
import type { RedriveFilter, RedriveStore, StatusCount } from '../../core/notification/redrive-store.js';
import type { NotificationRecord, NotificationStatus } from '../../core/notification/notification-record.js';
import { NOTIFICATION_COLUMNS, mapNotificationRow } from './notification-rows.js';
import { placeholders, select } from './raw-sql.js';
import { readInt, readText } from './row-values.js';

/** The WHERE clause and parameters of a redrive filter. */
function whereOf(filter: RedriveFilter): { sql: string; params: unknown[] } {
  const terms = [`status IN (${placeholders(filter.statuses.length)})`];
  const params: unknown[] = [...filter.statuses];
  const add = (term: string, value: unknown) => {
    terms.push(term);
    params.push(value);
  };
  if (filter.channel) add('channel = ?', filter.channel);
  if (filter.errorCode) add('last_error_code = ?', filter.errorCode);
  if (filter.userId) add('user_id = ?', filter.userId);
  if (filter.createdAfter) add('created_at >= ?', filter.createdAfter);
  if (filter.createdBefore) add('created_at < ?', filter.createdBefore);
  return { sql: terms.join(' AND '), params };
}

/** RedriveStore on the gateway's DataSource (MySQL/MariaDB or SQLite). */
export class TypeormRedriveStore implements RedriveStore {
  constructor(private readonly dataSource: DataSource) {}

  async countMatching(filter: RedriveFilter): Promise<number> {
    const where = whereOf(filter);
    const rows = await select(
      this.dataSource,
      `SELECT COUNT(*) AS n FROM notification_records WHERE ${where.sql}`,
      where.params,
    );
    return rows[0] ? readInt(rows[0], 'n') : 0;
  }

  async findMatching(filter: RedriveFilter, limit: number): Promise<NotificationRecord[]> {
    const where = whereOf(filter);
    const rows = await select(
      this.dataSource,
      `SELECT ${NOTIFICATION_COLUMNS} FROM notification_records WHERE ${where.sql}
       ORDER BY created_at, id LIMIT ${Math.max(1, Math.floor(limit))}`,
      where.params,
    );
    return rows.map(mapNotificationRow);
  }

  async countByStatusAndChannel(): Promise<StatusCount[]> {
    const rows = await select(
      this.dataSource,
      'SELECT status, channel, COUNT(*) AS n FROM notification_records GROUP BY status, channel ORDER BY status, channel',
      [],
    );
    return rows.map((row) => ({
      status: readText(row, 'status') as NotificationStatus,
      channel: readText(row, 'channel'),
      count: readInt(row, 'n'),
    }));
  }
}

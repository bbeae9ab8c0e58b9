import type { DataSource } from 'typeorm';
import type { NotificationStatus } from '../../core/notification/notification-record.js';
import { readInt, readText, type RawRow } from './row-values.js';

/** Records per status (for the notify_records gauge); served by the (status, next_attempt_at) index. */
export async function countByStatus(
  dataSource: DataSource,
): Promise<Partial<Record<NotificationStatus, number>>> {
  const rows = await dataSource.query<RawRow[]>(
    'SELECT status, COUNT(*) AS n FROM notification_records GROUP BY status',
  );
  return Object.fromEntries(rows.map((row) => [readText(row, 'status'), readInt(row, 'n')]));
}

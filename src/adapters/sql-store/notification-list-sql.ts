import type { ListQuery } from '../../core/notification/notification-store.js';
import { decodeListCursor } from './list-cursor.js';
import { NOTIFICATION_COLUMNS } from './notification-rows.js';

/** Largest page `list` returns whatever the caller asks for. */
export const MAX_LIST_LIMIT = 1000;

/** A parameterized SELECT (`?` placeholders, as both mysql2 and SQLite drivers accept). */
export interface SqlStatement {
  readonly sql: string;
  readonly params: unknown[];
}

/**
 * Builds the keyset page query for `list`: filters, then rows strictly after the cursor in
 * (created_at DESC, id DESC) order, fetching `pageSize + 1` rows so the caller can tell whether a
 * next page exists. Time range is half-open: createdAfter inclusive, createdBefore exclusive.
 * Throws InvalidCursorError for a bad cursor and RangeError for a non-positive limit.
 */
export function buildListStatement(query: ListQuery, pageSize: number): SqlStatement {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, ...values: unknown[]): void => {
    where.push(clause);
    params.push(...values);
  };
  if (query.userId !== undefined) add('user_id = ?', query.userId);
  if (query.statuses !== undefined && query.statuses.length > 0) {
    add(`status IN (${query.statuses.map(() => '?').join(', ')})`, ...query.statuses);
  }
  if (query.channel !== undefined) add('channel = ?', query.channel);
  if (query.triggerId !== undefined) add('trigger_id = ?', query.triggerId);
  if (query.createdAfter !== undefined) add('created_at >= ?', query.createdAfter);
  if (query.createdBefore !== undefined) add('created_at < ?', query.createdBefore);
  if (query.acknowledged === true) add('acknowledged_at IS NOT NULL');
  if (query.acknowledged === false) add('acknowledged_at IS NULL');
  // proto3 sends an empty page_token for the first page.
  if (query.cursor !== undefined && query.cursor !== '') {
    const cursor = decodeListCursor(query.cursor);
    // Expanded rather than a row constructor: MySQL plans (a, b) < (?, ?) poorly on older versions.
    add('(created_at < ? OR (created_at = ? AND id < ?))', cursor.createdAt, cursor.createdAt, cursor.id);
  }
  const sql =
    `SELECT ${NOTIFICATION_COLUMNS} FROM notification_records` +
    (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
    ' ORDER BY created_at DESC, id DESC LIMIT ?';
  params.push(pageSize + 1);
  return { sql, params };
}

/** Validates and caps a requested page size. */
export function pageSizeOf(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`list limit must be a positive integer`);
  return Math.min(limit, MAX_LIST_LIMIT);
}

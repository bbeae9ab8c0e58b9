import type { DataSource } from 'typeorm';
import type { Decision } from '../../core/event/event.js';
import type {
  EventListPage,
  EventListQuery,
  EventStore,
  EventTrace,
  FanOut,
  FanOutResult,
  StoredEvent,
} from '../../core/event/event-store.js';
import type { NewNotification, NotificationRecord } from '../../core/notification/notification-record.js';
import { decodeListCursor, encodeListCursor } from './list-cursor.js';
import {
  decisionParams,
  EVENT_COLUMNS,
  eventParams,
  INSERT_EVENT_SQL,
  insertDecisionsSql,
  mapDecisionRow,
  mapEventRow,
  SELECT_DECISIONS_SQL,
} from './event-rows.js';
import { insertedRecord, insertParams, insertSql } from './notification-insert-sql.js';
import { mapNotificationRow, NOTIFICATION_COLUMNS } from './notification-rows.js';
import { execute, inTransaction, placeholders, select, type Queryable } from './raw-sql.js';
import { MYSQL_DIALECT, type SqlDialect } from './sql-dialect.js';

/**
 * Rows per INSERT statement: 31+ columns a record, so 500 rows stay below SQLite's bound-parameter
 * limit (32,766) and far below MySQL's max_allowed_packet; 200 recipients are one statement.
 */
const RECORDS_PER_STATEMENT = 500;
const DECISIONS_PER_STATEMENT = 2000;

const SELECT_EVENT_SQL = `SELECT ${EVENT_COLUMNS} FROM event_records WHERE event_id = ?`;
const SELECT_RECORDS_SQL = `SELECT ${NOTIFICATION_COLUMNS} FROM notification_records
  WHERE event_id = ? ORDER BY created_at, id`;

const SELECT_FIRING_IDS_SQL = `SELECT n.id FROM event_records e
  JOIN notification_records n ON n.event_id = e.event_id
  WHERE e.fingerprint = ? AND e.occurred_at <= ? AND e.status = 'firing' AND e.event_id <> ?
  ORDER BY n.created_at, n.id`;

const keyOf = (userId: string, channel: string, dedupeKey: string): string =>
  JSON.stringify([userId, channel, dedupeKey]);

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let at = 0; at < items.length; at += size) out.push(items.slice(at, at + size));
  return out;
}

/** `%` and `_` (and the escape itself) taken literally in a LIKE pattern with ESCAPE '!'. */
const likeLiteral = (text: string): string => text.replace(/[!%_]/g, (c) => `!${c}`);

/**
 * EventStore in raw SQL on MySQL/MariaDB or (SQLITE_DIALECT) the embedded store. A fan-out is one
 * transaction of a handful of statements whatever the recipient count: the event row, one read of
 * records that already hold the event's dedupe keys, batched record INSERTs, batched decision INSERTs.
 */
export class TypeormEventStore implements EventStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly dialect: SqlDialect = MYSQL_DIALECT,
  ) {}

  async commitFanOut(fanOut: FanOut, now: Date): Promise<FanOutResult> {
    try {
      return await inTransaction(this.dataSource, async (runner) => {
        // The primary key decides: a repeat (or a concurrent twin, once the first commits) fails here.
        await execute(runner, INSERT_EVENT_SQL, eventParams(fanOut.event, fanOut.payloadHash, now));
        const existing = await this.existingRecords(runner, fanOut.records);
        const fresh = fanOut.records.filter(
          (record) => !existing.has(keyOf(record.userId, record.channel, record.dedupeKey)),
        );
        for (const chunk of chunks(fresh, RECORDS_PER_STATEMENT))
          await execute(
            runner,
            insertSql(chunk.length),
            chunk.flatMap((record) => insertParams(record, now)),
          );
        const records = fanOut.records.map((record) => {
          const found = existing.get(keyOf(record.userId, record.channel, record.dedupeKey));
          return found
            ? { record: found, deduplicated: true }
            : { record: insertedRecord(record, now), deduplicated: false };
        });
        const decisions: Decision[] = fanOut.decisions.map(({ record: index, ...draft }) => {
          const outcome = index === undefined ? undefined : records[index];
          if (!outcome) return { ...draft, notificationId: '' };
          return outcome.deduplicated
            ? {
                ...draft,
                outcome: 'deduplicated',
                reason: 'dedupe_key_exists',
                notificationId: outcome.record.id,
              }
            : { ...draft, notificationId: outcome.record.id };
        });
        let seq = 0;
        for (const chunk of chunks(decisions, DECISIONS_PER_STATEMENT)) {
          await execute(
            runner,
            insertDecisionsSql(chunk.length),
            chunk.flatMap((decision) => decisionParams(fanOut.event.eventId, seq++, decision)),
          );
        }
        return { inserted: true as const, decisions, records };
      });
    } catch (error) {
      if (!this.dialect.isDuplicateKey(error)) throw error;
      const existing = await this.findEvent(fanOut.event.eventId);
      // No stored event: the duplicate was a record's dedupe key taken concurrently by a Trigger.
      if (!existing) throw error;
      return { inserted: false, existing };
    }
  }

  /** Records that already hold one of the fan-out's (user, channel, dedupe_key) keys, by key. */
  private async existingRecords(
    runner: Queryable,
    records: readonly NewNotification[],
  ): Promise<Map<string, NotificationRecord>> {
    const found = new Map<string, NotificationRecord>();
    if (records.length === 0) return found;
    const keys = [...new Set(records.map((record) => record.dedupeKey))];
    const users = [...new Set(records.map((record) => record.userId))];
    for (const userChunk of chunks(users, 1000)) {
      const rows = await select(
        runner,
        `SELECT ${NOTIFICATION_COLUMNS} FROM notification_records
          WHERE user_id IN (${placeholders(userChunk.length)}) AND dedupe_key IN (${placeholders(keys.length)})`,
        [...userChunk, ...keys],
      );
      for (const record of rows.map(mapNotificationRow))
        found.set(keyOf(record.userId, record.channel, record.dedupeKey), record);
    }
    return found;
  }

  private async findEvent(eventId: string): Promise<StoredEvent | null> {
    const rows = await select(this.dataSource, SELECT_EVENT_SQL, [eventId]);
    return rows[0] === undefined ? null : mapEventRow(rows[0]);
  }

  async findTrace(eventId: string): Promise<EventTrace | null> {
    const stored = await this.findEvent(eventId);
    if (!stored) return null;
    const [decisions, ids] = await Promise.all([
      select(this.dataSource, SELECT_DECISIONS_SQL, [eventId]),
      select(
        this.dataSource,
        'SELECT id FROM notification_records WHERE event_id = ? ORDER BY created_at, id',
        [eventId],
      ),
    ]);
    return {
      ...stored,
      decisions: decisions.map(mapDecisionRow),
      notificationIds: ids.map((row) => String(row.id)),
    };
  }

  async listNotifications(eventId: string): Promise<NotificationRecord[]> {
    return (await select(this.dataSource, SELECT_RECORDS_SQL, [eventId])).map(mapNotificationRow);
  }

  async notificationIdsOfFingerprint(
    fingerprint: string,
    exceptEventId: string,
    occurredAtOrBefore: Date,
  ): Promise<string[]> {
    const rows = await select(this.dataSource, SELECT_FIRING_IDS_SQL, [
      fingerprint,
      occurredAtOrBefore,
      exceptEventId,
    ]);
    return rows.map((row) => String(row.id));
  }

  async list(query: EventListQuery): Promise<EventListPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, ...values: unknown[]): void => {
      where.push(clause);
      params.push(...values);
    };
    if (query.type !== undefined) add('type = ?', query.type);
    if (query.status !== undefined) add('status = ?', query.status);
    if (query.userId !== undefined) {
      add(
        `(event_id IN (SELECT event_id FROM event_decisions WHERE user_id = ?) OR user_ids LIKE ? ESCAPE '!')`,
        query.userId,
        `%${likeLiteral(JSON.stringify(query.userId))}%`,
      );
    }
    if (query.occurredAfter !== undefined) add('occurred_at >= ?', query.occurredAfter);
    if (query.occurredBefore !== undefined) add('occurred_at < ?', query.occurredBefore);
    if (query.cursor !== undefined && query.cursor !== '') {
      const cursor = decodeListCursor(query.cursor);
      add(
        '(occurred_at < ? OR (occurred_at = ? AND event_id < ?))',
        cursor.createdAt,
        cursor.createdAt,
        cursor.id,
      );
    }
    const rows = await select(
      this.dataSource,
      `SELECT ${EVENT_COLUMNS} FROM event_records${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}
        ORDER BY occurred_at DESC, event_id DESC LIMIT ?`,
      [...params, query.limit + 1],
    );
    const events = rows.slice(0, query.limit).map(mapEventRow);
    const last = events[events.length - 1];
    const nextCursor =
      rows.length > query.limit && last !== undefined
        ? encodeListCursor({ createdAt: last.event.occurredAt, id: last.event.eventId })
        : undefined;
    return { events, nextCursor };
  }
}

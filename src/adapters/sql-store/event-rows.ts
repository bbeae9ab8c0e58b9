import type {
  Decision,
  DecisionOutcome,
  EventStatus,
  NotifyEvent,
  Severity,
} from '../../core/event/event.js';
import type { StoredEvent } from '../../core/event/event-store.js';
import { placeholders } from './raw-sql.js';
import { type RawRow, readDate, readJson, readNullableText, readText } from './row-values.js';

/*
 * Columns and row mapping of event_records and event_decisions (raw SQL, both dialects).
 */

export const EVENT_COLUMNS = [
  'event_id',
  'type',
  'severity',
  'status',
  'fingerprint',
  'user_ids',
  'attributes',
  'target_type',
  'target_id',
  'target_url',
  'preview_id',
  'trace_id',
  'summary',
  'occurred_at',
  'payload_hash',
  'created_at',
].join(', ');

export const INSERT_EVENT_SQL = `INSERT INTO event_records (${EVENT_COLUMNS}) VALUES (${placeholders(
  EVENT_COLUMNS.split(',').length,
)})`;

/** Parameters of INSERT_EVENT_SQL, in EVENT_COLUMNS order. */
export function eventParams(event: NotifyEvent, payloadHash: string, now: Date): unknown[] {
  return [
    event.eventId,
    event.type,
    event.severity,
    event.status,
    event.fingerprint,
    JSON.stringify(event.userIds),
    JSON.stringify(event.attributes),
    event.target.type,
    event.target.id,
    event.target.url,
    event.previewId,
    event.traceId,
    event.summary,
    event.occurredAt,
    payloadHash,
    now,
  ];
}

const DECISION_COLUMNS = 'event_id, seq, rule, user_id, channel, outcome, reason, notification_id';

/** One multi-row INSERT of `rows` decisions. */
export const insertDecisionsSql = (rows: number): string =>
  `INSERT INTO event_decisions (${DECISION_COLUMNS}) VALUES ${Array.from(
    { length: rows },
    () => '(?, ?, ?, ?, ?, ?, ?, ?)',
  ).join(', ')}`;

/** Parameters of one decision row. */
export function decisionParams(eventId: string, seq: number, decision: Decision): unknown[] {
  return [
    eventId,
    seq,
    decision.rule,
    decision.userId,
    decision.channel,
    decision.outcome,
    decision.reason,
    decision.notificationId || null,
  ];
}

export const SELECT_DECISIONS_SQL = `SELECT ${DECISION_COLUMNS} FROM event_decisions WHERE event_id = ? ORDER BY seq`;

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function stringMap(value: unknown): Record<string, string> {
  const map: Record<string, string> = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return map;
  for (const [key, item] of Object.entries(value)) if (typeof item === 'string') map[key] = item;
  return map;
}

/** Maps an event_records row. */
export function mapEventRow(row: RawRow): StoredEvent {
  return {
    event: {
      eventId: readText(row, 'event_id'),
      type: readText(row, 'type'),
      severity: readText(row, 'severity') as Severity,
      status: readText(row, 'status') as EventStatus,
      fingerprint: readText(row, 'fingerprint'),
      userIds: stringList(readJson(row, 'user_ids')),
      attributes: stringMap(readJson(row, 'attributes')),
      target: {
        type: readText(row, 'target_type'),
        id: readText(row, 'target_id'),
        url: readText(row, 'target_url'),
      },
      previewId: readText(row, 'preview_id'),
      traceId: readText(row, 'trace_id'),
      occurredAt: readDate(row, 'occurred_at'),
      summary: readText(row, 'summary'),
    },
    payloadHash: readText(row, 'payload_hash'),
    createdAt: readDate(row, 'created_at'),
  };
}

/** Maps an event_decisions row. */
export function mapDecisionRow(row: RawRow): Decision {
  return {
    rule: readText(row, 'rule'),
    userId: readText(row, 'user_id'),
    channel: readText(row, 'channel'),
    outcome: readText(row, 'outcome') as DecisionOutcome,
    reason: readText(row, 'reason'),
    notificationId: readNullableText(row, 'notification_id') ?? '',
  };
}

import { NOTIFICATION_STATUSES, type NotificationRecord } from './notification-record.js';

/** Date fields of a record, carried as ISO-8601 text in JSON. */
const DATE_FIELDS = [
  'nextAttemptAt',
  'leaseExpiresAt',
  'scheduledAt',
  'sentAt',
  'createdAt',
  'updatedAt',
] as const;

const STATUSES: ReadonlySet<string> = new Set(NOTIFICATION_STATUSES);

/** A record as UTF-8 JSON (dates as ISO text), the body of a status-change broadcast. */
export function encodeRecord(record: NotificationRecord): Buffer {
  return Buffer.from(JSON.stringify(record), 'utf8');
}

/** The record a status-change body carries, or undefined when it is not one. */
export function decodeRecord(body: Buffer): NotificationRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const raw = value as Record<string, unknown>;
  if (typeof raw.id !== 'string' || typeof raw.version !== 'number') return undefined;
  if (typeof raw.status !== 'string' || !STATUSES.has(raw.status)) return undefined;
  const record: Record<string, unknown> = { ...raw };
  for (const field of DATE_FIELDS) {
    const text = raw[field];
    record[field] = typeof text === 'string' ? new Date(text) : null;
  }
  return record as unknown as NotificationRecord;
}

import type {
  AttemptKind,
  AttemptOutcome,
  AttemptRecord,
  NotificationRecord,
  NotificationStatus,
} from '../../core/notification/notification-record.js';
import {
  type RawRow,
  readBool,
  readDate,
  readInt,
  readJson,
  readNullableDate,
  readNullableText,
  readText,
} from './row-values.js';

/** Column list of notification_records in a stable order, for raw SELECTs. */
export const NOTIFICATION_COLUMNS = [
  'id',
  'user_id',
  'channel',
  'plugin',
  'trigger_id',
  'trigger_type',
  'preview_id',
  'target_type',
  'target_id',
  'target_url',
  'message_text',
  'fallback_used',
  'trace_id',
  'dedupe_key',
  'critical',
  'metadata',
  'status',
  'attempt_count',
  'call_count',
  'max_attempts',
  'next_attempt_at',
  'lease_owner',
  'lease_expires_at',
  'last_error_code',
  'last_error_message',
  'provider_message_id',
  'scheduled_at',
  'sent_at',
  'acknowledged_at',
  'acknowledged_by',
  'recalled_at',
  'created_at',
  'updated_at',
  'version',
  'callback',
  'request_hash',
].join(', ');

/** Column list of notification_attempts (without the surrogate id), for raw SELECTs. */
export const ATTEMPT_COLUMNS = [
  'notification_id',
  'attempt_no',
  'outcome',
  'error_code',
  'error_message',
  'request_payload',
  'response_payload',
  'duration_ms',
  'started_at',
  'possible_duplicate',
].join(', ');

function readMetadata(row: RawRow): Record<string, string> {
  const parsed = readJson(row, 'metadata');
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value === 'string') metadata[key] = value;
  }
  return metadata;
}

/** Maps a raw notification_records row to the domain record. */
export function mapNotificationRow(row: RawRow): NotificationRecord {
  return {
    id: readText(row, 'id'),
    userId: readText(row, 'user_id'),
    channel: readText(row, 'channel'),
    plugin: readText(row, 'plugin'),
    triggerId: readText(row, 'trigger_id'),
    triggerType: readText(row, 'trigger_type'),
    previewId: readText(row, 'preview_id'),
    targetType: readText(row, 'target_type'),
    targetId: readText(row, 'target_id'),
    targetUrl: readText(row, 'target_url'),
    messageText: readText(row, 'message_text'),
    fallbackUsed: readBool(row, 'fallback_used'),
    traceId: readText(row, 'trace_id'),
    dedupeKey: readText(row, 'dedupe_key'),
    critical: readBool(row, 'critical'),
    metadata: readMetadata(row),
    requestHash: readText(row, 'request_hash'),
    status: readText(row, 'status') as NotificationStatus,
    attemptCount: readInt(row, 'attempt_count'),
    callCount: readInt(row, 'call_count'),
    maxAttempts: readInt(row, 'max_attempts'),
    nextAttemptAt: readDate(row, 'next_attempt_at'),
    leaseOwner: readNullableText(row, 'lease_owner'),
    leaseExpiresAt: readNullableDate(row, 'lease_expires_at'),
    lastErrorCode: readNullableText(row, 'last_error_code'),
    lastErrorMessage: readNullableText(row, 'last_error_message'),
    providerMessageId: readNullableText(row, 'provider_message_id'),
    scheduledAt: readNullableDate(row, 'scheduled_at'),
    sentAt: readNullableDate(row, 'sent_at'),
    acknowledgedAt: readNullableDate(row, 'acknowledged_at'),
    acknowledgedBy: readNullableText(row, 'acknowledged_by'),
    recalledAt: readNullableDate(row, 'recalled_at'),
    createdAt: readDate(row, 'created_at'),
    updatedAt: readDate(row, 'updated_at'),
    version: readInt(row, 'version'),
    callback: readText(row, 'callback'),
  };
}

/** ATTEMPT_COLUMNS plus the kind, for reads (writes of sends leave it to the column default). */
export const ATTEMPT_READ_COLUMNS = `${ATTEMPT_COLUMNS}, kind`;

/** Maps a raw notification_attempts row to the domain attempt. */
export function mapAttemptRow(row: RawRow): AttemptRecord {
  return {
    notificationId: readText(row, 'notification_id'),
    attemptNo: readInt(row, 'attempt_no'),
    outcome: readText(row, 'outcome') as AttemptOutcome,
    errorCode: readNullableText(row, 'error_code'),
    errorMessage: readNullableText(row, 'error_message'),
    requestPayload: readJson(row, 'request_payload'),
    responsePayload: readJson(row, 'response_payload'),
    durationMs: readInt(row, 'duration_ms'),
    startedAt: readDate(row, 'started_at'),
    possibleDuplicate: readBool(row, 'possible_duplicate'),
    kind: (readNullableText(row, 'kind') ?? 'send') as AttemptKind,
  };
}

import { create, fromJson, type JsonValue } from '@bufbuild/protobuf';
import {
  timestampDate,
  timestampFromDate,
  ValueSchema,
  type Timestamp,
  type Value,
} from '@bufbuild/protobuf/wkt';
import {
  AttemptOutcome,
  AttemptSchema,
  NotificationSchema,
  NotificationStatus,
  type Notification,
} from '../../gen/notify/v1/notification_pb.js';
import type { TriggerRequest } from '../../gen/notify/v1/notification_service_pb.js';
import type { TriggerInput } from '../../core/delivery/trigger-input.js';
import type {
  AttemptOutcome as StoredOutcome,
  AttemptRecord,
  NotificationRecord,
  NotificationStatus as StoredStatus,
} from '../../core/notification/notification-record.js';

const STATUS_TO_PROTO: Record<StoredStatus, NotificationStatus> = {
  pending: NotificationStatus.PENDING,
  scheduled: NotificationStatus.SCHEDULED,
  sending: NotificationStatus.SENDING,
  sent: NotificationStatus.SENT,
  failed: NotificationStatus.FAILED,
  skipped: NotificationStatus.SKIPPED,
  dead: NotificationStatus.DEAD,
  cancelled: NotificationStatus.CANCELLED,
};

const OUTCOME_TO_PROTO: Record<StoredOutcome, AttemptOutcome> = {
  success: AttemptOutcome.SUCCESS,
  temporary_fail: AttemptOutcome.TEMPORARY_FAIL,
  permanent_fail: AttemptOutcome.PERMANENT_FAIL,
  skipped: AttemptOutcome.SKIPPED,
  unknown: AttemptOutcome.UNKNOWN,
};

/** Proto enum value of a stored status word. */
export function statusToProto(status: StoredStatus): NotificationStatus {
  return STATUS_TO_PROTO[status];
}

/** Stored status word for a proto enum value, or undefined for UNSPECIFIED/unknown. */
export function statusFromProto(status: NotificationStatus): StoredStatus | undefined {
  return (Object.keys(STATUS_TO_PROTO) as StoredStatus[]).find((key) => STATUS_TO_PROTO[key] === status);
}

function stamp(date: Date | null): Timestamp | undefined {
  return date ? timestampFromDate(date) : undefined;
}

/** A stored (already redacted) payload as a protobuf Value; absent when nothing was stored. */
function payloadValue(payload: unknown): Value | undefined {
  if (payload === null || payload === undefined) return undefined;
  return fromJson(ValueSchema, payload as JsonValue);
}

/** Optional proto timestamp to Date. */
export function dateFromProto(timestamp: Timestamp | undefined): Date | undefined {
  return timestamp ? timestampDate(timestamp) : undefined;
}

/** A stored record as the API's Notification (attempts only when given). */
export function toProtoNotification(
  record: NotificationRecord,
  deduplicated = false,
  attempts: readonly AttemptRecord[] = [],
  withPayloads = false,
): Notification {
  return create(NotificationSchema, {
    id: record.id,
    userId: record.userId,
    channel: record.channel,
    plugin: record.plugin,
    callback: record.callback ?? '',
    status: STATUS_TO_PROTO[record.status],
    deduplicated,
    attemptCount: record.attemptCount,
    maxAttempts: record.maxAttempts,
    lastErrorCode: record.lastErrorCode ?? '',
    lastErrorMessage: record.lastErrorMessage ?? '',
    providerMessageId: record.providerMessageId ?? '',
    fallbackUsed: record.fallbackUsed,
    messageText: record.messageText,
    triggerId: record.triggerId,
    triggerType: record.triggerType,
    previewId: record.previewId,
    dedupeKey: record.dedupeKey,
    traceId: record.traceId,
    target:
      record.targetType || record.targetId || record.targetUrl
        ? { type: record.targetType, id: record.targetId, url: record.targetUrl }
        : undefined,
    createdAt: stamp(record.createdAt),
    updatedAt: stamp(record.updatedAt),
    nextAttemptAt: stamp(record.nextAttemptAt),
    sentAt: stamp(record.sentAt),
    scheduledAt: stamp(record.scheduledAt),
    acknowledgedAt: stamp(record.acknowledgedAt),
    acknowledgedBy: record.acknowledgedBy ?? '',
    recalledAt: stamp(record.recalledAt),
    attempts: attempts.map((attempt) =>
      create(AttemptSchema, {
        attemptNo: attempt.attemptNo,
        outcome: OUTCOME_TO_PROTO[attempt.outcome],
        errorCode: attempt.errorCode ?? '',
        errorMessage: attempt.errorMessage ?? '',
        durationMs: attempt.durationMs,
        startedAt: stamp(attempt.startedAt),
        possibleDuplicate: attempt.possibleDuplicate,
        kind: attempt.kind ?? 'send',
        requestPayload: withPayloads ? payloadValue(attempt.requestPayload) : undefined,
        responsePayload: withPayloads ? payloadValue(attempt.responsePayload) : undefined,
      }),
    ),
  });
}

/** A TriggerRequest as the core's input; the trace id falls back to the traceparent header's. */
export function triggerInputFromProto(
  request: TriggerRequest,
  headerTraceId: string | undefined,
): TriggerInput {
  return {
    userId: request.userId,
    triggerId: request.triggerId,
    triggerType: request.triggerType,
    previewId: request.previewId,
    target: request.target
      ? { type: request.target.type, id: request.target.id, url: request.target.url }
      : undefined,
    message: request.message
      ? {
          text: request.message.text,
          template: request.message.template,
          variables: { ...request.message.variables },
        }
      : undefined,
    channels: [...request.channels],
    dedupeKey: request.dedupeKey,
    critical: request.critical,
    traceId: request.traceId || headerTraceId || '',
    metadata: { ...request.metadata },
    callback: request.callback,
  };
}

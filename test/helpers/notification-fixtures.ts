import { randomBytes } from 'node:crypto';
import type {
  AttemptRecord,
  NewNotification,
  NotificationRecord,
} from '../../src/core/notification/notification-record.js';
import type { FinishUpdate } from '../../src/core/notification/notification-store.js';
import { newId } from '../../src/core/shared/ids.js';

/** A fixed test epoch; tests pass times explicitly, as the core does with its injected clock. */
export const T0 = new Date('2030-01-01T00:00:00.000Z');

/** T0 plus `ms` milliseconds. */
export function at(ms: number): Date {
  return new Date(T0.getTime() + ms);
}

/** A user id no other test uses, so tests sharing one database never see each other's rows. */
export function uniqueUser(): string {
  return `user-${randomBytes(6).toString('hex')}`;
}

/** A valid pending NewNotification due at T0, for a fresh user unless overridden. */
export function newNotification(overrides: Partial<NewNotification> = {}): NewNotification {
  return {
    id: newId(),
    userId: uniqueUser(),
    channel: 'mock',
    plugin: 'mock',
    triggerId: 'trigger-1',
    triggerType: 'schedule_changed',
    previewId: 'preview-1',
    targetType: 'task',
    targetId: 'task-1',
    targetUrl: 'https://example.test/task/1',
    messageText: 'Your schedule changed — 日程已更新',
    fallbackUsed: false,
    traceId: '0af7651916cd43dd8448eb211c80319c',
    dedupeKey: 'dedupe-1',
    critical: false,
    metadata: { source: 'contract-test' },
    requestHash: 'a'.repeat(64),
    status: 'pending',
    maxAttempts: 6,
    nextAttemptAt: T0,
    lastErrorCode: null,
    lastErrorMessage: null,
    scheduledAt: null,
    ...overrides,
  };
}

/** `input` as a store holds it right after inserting it at `now`, for stores stubbed in unit tests. */
export function storedRecord(input: NewNotification, now: Date): NotificationRecord {
  return {
    ...input,
    attemptCount: 0,
    callCount: 0,
    version: 1,
    createdAt: now,
    updatedAt: now,
    leaseOwner: null,
    leaseExpiresAt: null,
    providerMessageId: null,
    sentAt: null,
    acknowledgedAt: null,
    acknowledgedBy: null,
    recalledAt: null,
  };
}

/** The attempt row a worker writes for a claimed record's current call. */
export function attemptFor(
  record: NotificationRecord,
  overrides: Partial<AttemptRecord> = {},
): AttemptRecord {
  return {
    notificationId: record.id,
    attemptNo: record.callCount,
    outcome: 'success',
    errorCode: null,
    errorMessage: null,
    requestPayload: { msg_type: 'text', content: { text: record.messageText } },
    responsePayload: { code: 0, msg: 'success' },
    durationMs: 42,
    startedAt: record.updatedAt,
    possibleDuplicate: false,
    ...overrides,
  };
}

/** A FinishUpdate for `status` at `now`, with the usual fields for that status. */
export function finishUpdate(
  status: FinishUpdate['status'],
  now: Date,
  overrides: Partial<FinishUpdate> = {},
): FinishUpdate {
  const failed = status === 'failed' || status === 'dead';
  return {
    status,
    spendsAttempt: true,
    nextAttemptAt: now,
    lastErrorCode: failed ? 'provider_5xx' : null,
    lastErrorMessage: failed ? 'upstream answered 503' : null,
    providerMessageId: status === 'sent' ? 'om_123' : null,
    sentAt: status === 'sent' ? now : null,
    now,
    ...overrides,
  };
}

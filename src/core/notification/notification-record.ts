import type { DeliveryOutcome } from '../contract/index.js';

/**
 * Every stored status word, the one list the type, the metrics gauge and the status machine
 * (status-machine.ts, docs/architecture.md "The status machine") are built from.
 */
export const NOTIFICATION_STATUSES = [
  'pending',
  'scheduled',
  'sending',
  'sent',
  'failed',
  'skipped',
  'dead',
  'cancelled',
] as const;

/** A stored status word. Terminal: sent, skipped, dead, cancelled. */
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** One notification: a trigger for one user through one channel (table notification_records). */
export interface NotificationRecord {
  readonly id: string;
  readonly userId: string;
  readonly channel: string;
  readonly plugin: string;
  readonly triggerId: string;
  readonly triggerType: string;
  readonly previewId: string;
  readonly targetType: string;
  readonly targetId: string;
  readonly targetUrl: string;
  readonly messageText: string;
  readonly fallbackUsed: boolean;
  readonly traceId: string;
  readonly dedupeKey: string;
  readonly critical: boolean;
  readonly metadata: Readonly<Record<string, string>>;
  /**
   * sha256 hex of the trigger payload that created the record (trigger-input.ts triggerRequestHash),
   * so a dedupe key repeated with another payload is told apart; '' on rows older than the column.
   */
  readonly requestHash: string;
  readonly status: NotificationStatus;
  /** Provider calls that spent the attempt budget (rate-limited calls do not). */
  readonly attemptCount: number;
  /** Every provider call made, including rate-limited ones; numbers the attempt rows. */
  readonly callCount: number;
  readonly maxAttempts: number;
  readonly nextAttemptAt: Date;
  readonly leaseOwner: string | null;
  readonly leaseExpiresAt: Date | null;
  readonly lastErrorCode: string | null;
  readonly lastErrorMessage: string | null;
  readonly providerMessageId: string | null;
  readonly scheduledAt: Date | null;
  readonly sentAt: Date | null;
  /** Set once acknowledged (card button or AcknowledgeNotification), with who did it. */
  readonly acknowledgedAt: Date | null;
  readonly acknowledgedBy: string | null;
  /** Set when the sent message was recalled; the status stays `sent`. */
  readonly recalledAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Incremented by every transition; every transition is a compare-and-set on it. */
  readonly version: number;
  /** The status callback (`callbacks[].id`) its trigger named; '' or absent for none. */
  readonly callback?: string;
}

/** Fields the trigger path supplies for a new record; the store fills ids, counters and times. */
export type NewNotification = Pick<
  NotificationRecord,
  | 'id'
  | 'userId'
  | 'channel'
  | 'plugin'
  | 'triggerId'
  | 'triggerType'
  | 'previewId'
  | 'targetType'
  | 'targetId'
  | 'targetUrl'
  | 'messageText'
  | 'fallbackUsed'
  | 'traceId'
  | 'dedupeKey'
  | 'critical'
  | 'metadata'
  | 'requestHash'
  | 'status'
  | 'maxAttempts'
  | 'nextAttemptAt'
  | 'lastErrorCode'
  | 'lastErrorMessage'
  | 'scheduledAt'
  | 'callback'
>;

/** Outcome stored on an attempt row: the plugin's outcome, or `unknown` for an expired lease. */
export type AttemptOutcome = DeliveryOutcome | 'unknown';

/** What a provider call did: deliver, change a sent message, or delete it. */
export type AttemptKind = 'send' | 'update' | 'recall';

/** One provider call (table notification_attempts). Payloads are already redacted. */
export interface AttemptRecord {
  /** Absent means `send`. */
  readonly kind?: AttemptKind;
  readonly notificationId: string;
  readonly attemptNo: number;
  readonly outcome: AttemptOutcome;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  readonly requestPayload: unknown;
  readonly responsePayload: unknown;
  readonly durationMs: number;
  readonly startedAt: Date;
  /** The provider may have delivered without answering, and has no idempotency key. */
  readonly possibleDuplicate: boolean;
}

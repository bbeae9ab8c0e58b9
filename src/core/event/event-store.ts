import type { NewNotification, NotificationRecord } from '../notification/notification-record.js';
import type { Decision, EventStatus, NotifyEvent } from './event.js';

/** An event as stored (table event_records) with its idempotency fingerprint. */
export interface StoredEvent {
  readonly event: NotifyEvent;
  /** sha256 hex of the producer's payload (event-input.ts eventPayloadHash). */
  readonly payloadHash: string;
  readonly createdAt: Date;
}

/** An event with its decision trace (GetEvent). */
export interface EventTrace extends StoredEvent {
  /** In the order they were decided. */
  readonly decisions: readonly Decision[];
  /** Every notification record linked to the event (notification_records.event_id), oldest first. */
  readonly notificationIds: readonly string[];
}

/**
 * A decision about to be stored. With `record` (an index into {@link FanOut.records}) it carries
 * that record's id; when the record's (user_id, channel, dedupe_key) already exists the store
 * stores the existing record's id instead and turns the outcome into `deduplicated`.
 */
export interface DecisionDraft extends Omit<Decision, 'notificationId'> {
  readonly record?: number;
}

/** Everything one event creates, committed together. */
export interface FanOut {
  readonly event: NotifyEvent;
  readonly payloadHash: string;
  /** One per (recipient, channel); each with `eventId` = event.eventId. */
  readonly records: readonly NewNotification[];
  readonly decisions: readonly DecisionDraft[];
}

/** What committing a fan-out ended in. */
export type FanOutResult =
  | {
      readonly inserted: true;
      /** The decisions as stored (notification ids filled, repeats marked `deduplicated`). */
      readonly decisions: readonly Decision[];
      /** Per FanOut.records entry: the inserted record, or the existing one (`deduplicated`). */
      readonly records: ReadonlyArray<{
        readonly record: NotificationRecord;
        readonly deduplicated: boolean;
      }>;
    }
  /** The event_id was already stored (by this or a concurrent publish); nothing was written. */
  | { readonly inserted: false; readonly existing: StoredEvent };

/** Filters of ListEvents, newest occurred_at first. */
export interface EventListQuery {
  readonly type?: string;
  /** Events that named this user in user_ids or hold a decision about them. */
  readonly userId?: string;
  readonly status?: EventStatus;
  /** Inclusive. */
  readonly occurredAfter?: Date;
  /** Exclusive. */
  readonly occurredBefore?: Date;
  readonly limit: number;
  /** Opaque token of a previous page; a foreign one throws InvalidCursorError. */
  readonly cursor?: string;
}

/** One page of events. */
export interface EventListPage {
  readonly events: StoredEvent[];
  readonly nextCursor: string | undefined;
}

/**
 * Persistence of events and their decision traces (tables event_records, event_decisions) and the
 * notifications they fan out to (notification_records rows with event_id set). The event_id
 * primary key is the idempotency arbiter, never a read-then-write.
 */
export interface EventStore {
  /**
   * In ONE transaction: insert the event row, the notification records (batched statements) and the
   * decisions. When event_id already exists, writes nothing and returns the stored event (the caller
   * compares payload hashes). Concurrent commits of one event_id: exactly one inserts.
   */
  commitFanOut(fanOut: FanOut, now: Date): Promise<FanOutResult>;
  /** The event with its decisions and notification ids; null when absent. */
  findTrace(eventId: string): Promise<EventTrace | null>;
  /** The notification records of an event (notification_records.event_id), oldest first. */
  listNotifications(eventId: string): Promise<NotificationRecord[]>;
  /**
   * Ids of the notification records of FIRING events with `fingerprint` that occurred at or before
   * `occurredAtOrBefore`, other than `exceptEventId` (the RESOLVED event), oldest first. Uses the
   * (fingerprint, occurred_at) index.
   */
  notificationIdsOfFingerprint(
    fingerprint: string,
    exceptEventId: string,
    occurredAtOrBefore: Date,
  ): Promise<string[]>;
  list(query: EventListQuery): Promise<EventListPage>;
}

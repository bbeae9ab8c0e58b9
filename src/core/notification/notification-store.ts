import type {
  AttemptRecord,
  NewNotification,
  NotificationRecord,
  NotificationStatus,
} from './notification-record.js';
import type { FinishedStatus } from './status-machine.js';

/** Result of inserting a notification under the dedupe unique key. */
export interface InsertResult {
  readonly record: NotificationRecord;
  /** True when (user_id, channel, dedupe_key) already existed; nothing was inserted. */
  readonly deduplicated: boolean;
}

/** Filters for listing, newest first. Cursor is opaque to callers (from a previous page). */
export interface ListQuery {
  readonly userId?: string;
  readonly statuses?: readonly NotificationStatus[];
  readonly channel?: string;
  readonly triggerId?: string;
  readonly createdAfter?: Date;
  readonly createdBefore?: Date;
  /** true: only acknowledged records; false: only unacknowledged ones. */
  readonly acknowledged?: boolean;
  readonly limit: number;
  readonly cursor?: string;
}

export interface ListPage {
  readonly records: NotificationRecord[];
  /** Pass back as `cursor` for the next page; undefined on the last page. */
  readonly nextCursor: string | undefined;
}

/** Lease taken by a worker when it claims a record for sending. */
export interface ClaimRequest {
  readonly now: Date;
  readonly leaseOwner: string;
  readonly leaseExpiresAt: Date;
  /**
   * The record as the worker last read it. When given, the claim is also a compare-and-set on its
   * version, so the claimed record can be built from it without reading the row back (hot path).
   */
  readonly expected?: NotificationRecord;
}

/** How a finished provider call moves a `sending` record. */
export interface FinishUpdate {
  readonly status: FinishedStatus;
  /** Whether this call spends the attempt budget (false for rate-limited calls). */
  readonly spendsAttempt: boolean;
  readonly nextAttemptAt: Date;
  readonly lastErrorCode: string | null;
  readonly lastErrorMessage: string | null;
  readonly providerMessageId: string | null;
  readonly sentAt: Date | null;
  readonly now: Date;
  /** The plugin sent its text fallback (a card could not be rendered): sets fallback_used. */
  readonly fallbackUsed?: boolean;
}

/**
 * Persistence of notification records and attempts. MySQL/MariaDB is the source of truth; every
 * transition is a compare-and-set whose WHERE clause holds the expected state, so concurrent
 * workers cannot both win.
 */
export interface NotificationStore {
  /**
   * Insert a new record, or return the existing one for the same (userId, channel, dedupeKey).
   * The unique index decides, never a read-then-write.
   */
  insertOrFind(record: NewNotification, now: Date): Promise<InsertResult>;
  findById(id: string): Promise<NotificationRecord | null>;
  listAttempts(notificationId: string): Promise<AttemptRecord[]>;
  list(query: ListQuery): Promise<ListPage>;
  /**
   * pending|failed|scheduled → sending when next_attempt_at <= now: sets the lease, increments version and
   * call_count. Returns the claimed record, or null when another worker or state won.
   */
  claim(id: string, request: ClaimRequest): Promise<NotificationRecord | null>;
  /**
   * sending → update.status for the record at `version` (the claimed one), then insert the attempt
   * row. With `claimed` (the record claim returned) the result is built from it, not read back. Returns the updated record, or null (writing nothing) when the record
   * moved meanwhile (lease recovered, redriven, cancelled).
   */
  finish(
    id: string,
    version: number,
    update: FinishUpdate,
    attempt: AttemptRecord,
    claimed?: NotificationRecord,
  ): Promise<NotificationRecord | null>;
  /** dead|failed → pending with a fresh attempt budget, due now. Null if not in those states. */
  redrive(id: string, now: Date, maxAttempts: number): Promise<NotificationRecord | null>;
  /** pending|scheduled|failed → cancelled. Null if not in those states. */
  cancel(id: string, now: Date): Promise<NotificationRecord | null>;
  /**
   * Set acknowledged_at/_by on records not yet acknowledged; returns the ids this call changed
   * (an already acknowledged record keeps its first acknowledgement).
   */
  acknowledge(ids: readonly string[], by: string, at: Date): Promise<string[]>;
  /** Set recalled_at on a sent record not yet recalled; false when it was not (or not sent). */
  markRecalled(id: string, at: Date): Promise<boolean>;
  /** Record a lifecycle call (kind update or recall) as the record's next attempt row. */
  addAttempt(attempt: AttemptRecord): Promise<void>;
  /** Throws when the database is unreachable (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

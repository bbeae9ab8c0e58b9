import type { NotificationStatus } from '../notification/notification-record.js';

/** Records in one status on one channel. */
export interface StatusChannelCount {
  readonly status: NotificationStatus;
  readonly channel: string;
  readonly count: number;
}

/** Outcomes in one UTC minute; `minute` is its first millisecond. */
export interface MinuteOutcomeCount {
  readonly minute: Date;
  readonly sent: number;
  readonly failed: number;
  readonly dead: number;
}

/** How often one error code was recorded on one channel, and when last. */
export interface ErrorCodeCount {
  readonly errorCode: string;
  readonly channel: string;
  readonly count: number;
  readonly lastSeenAt: Date;
}

/** The operator overview's queries (port; the SQL store implements it). */
export interface OverviewStore {
  /** Every (status, channel) pair that has records, with its count. */
  countByStatusAndChannel(): Promise<StatusChannelCount[]>;
  /** Minutes since `since` that had outcomes (sent and failed attempts, records gone dead); others are absent. */
  outcomesPerMinute(since: Date): Promise<MinuteOutcomeCount[]>;
  /** Failed attempts since `since` by error code and channel, most frequent first. */
  failedAttemptsByError(since: Date, limit: number): Promise<ErrorCodeCount[]>;
  /** DEAD records by their last error code and channel, most frequent first. */
  deadByError(limit: number): Promise<ErrorCodeCount[]>;
}

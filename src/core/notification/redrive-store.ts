import type { NotificationRecord, NotificationStatus } from './notification-record.js';

/** Which records a bulk redrive (or its dry run) selects. */
export interface RedriveFilter {
  /** `dead` and/or `failed`. */
  readonly statuses: readonly ('dead' | 'failed')[];
  readonly channel?: string;
  readonly errorCode?: string;
  readonly createdAfter?: Date;
  readonly createdBefore?: Date;
  readonly userId?: string;
}

/** One row of the operators' status overview. */
export interface StatusCount {
  readonly status: NotificationStatus;
  readonly channel: string;
  readonly count: number;
}

/** Queries of the operator tools (bulk redrive, `notify-gateway status`) over notification_records. */
export interface RedriveStore {
  /** How many records the filter matches. */
  countMatching(filter: RedriveFilter): Promise<number>;
  /** Up to `limit` matching records, oldest first. */
  findMatching(filter: RedriveFilter, limit: number): Promise<NotificationRecord[]>;
  /** Record counts grouped by status and channel. */
  countByStatusAndChannel(): Promise<StatusCount[]>;
}

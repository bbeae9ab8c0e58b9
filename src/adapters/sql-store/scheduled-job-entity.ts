import { EntitySchema } from 'typeorm';
import { bigintIdColumn, stringColumn, textColumn, timeColumn } from './entity-columns.js';

/** Characters of a failed fire's message the failure_message column holds. */
export const JOB_FAILURE_MESSAGE_LENGTH = 1024;

/** Stored scheduled-job status words (docs/architecture.md §7). */
export type ScheduledJobStatus = 'waiting' | 'triggered' | 'cancelled' | 'failed';

/** One row of scheduled_jobs; JSON columns hold text. */
export interface ScheduledJobRow {
  id: string;
  jobKey: string;
  userId: string;
  dueAt: Date;
  status: ScheduledJobStatus;
  /** JSON text of the trigger to fire. */
  triggerPayload: string;
  /** sha256 hex of the canonical trigger payload: a repeat ScheduleJob with another payload conflicts. */
  payloadHash: string;
  firedAt: Date | null;
  /** JSON text array of the notification ids created when the job fired. */
  notificationIds: string | null;
  /** Why a failed fire failed (stable snake_case); null unless status is failed. */
  failureReason: string | null;
  failureMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Table scheduled_jobs (docs/architecture.md §7); schema only, its store is added separately. */
export const ScheduledJobEntity = new EntitySchema<ScheduledJobRow>({
  name: 'ScheduledJob',
  tableName: 'scheduled_jobs',
  columns: {
    id: bigintIdColumn(),
    jobKey: stringColumn('job_key', 191),
    userId: stringColumn('user_id', 128),
    dueAt: timeColumn('due_at'),
    status: stringColumn('status', 16),
    triggerPayload: textColumn('trigger_payload'),
    payloadHash: stringColumn('payload_hash', 64),
    firedAt: timeColumn('fired_at', true),
    notificationIds: textColumn('notification_ids', true),
    failureReason: stringColumn('failure_reason', 64, true),
    failureMessage: stringColumn('failure_message', JOB_FAILURE_MESSAGE_LENGTH, true),
    createdAt: timeColumn('created_at'),
    updatedAt: timeColumn('updated_at'),
  },
  uniques: [{ name: 'uq_scheduled_jobs_job_key', columns: ['jobKey'] }],
  indices: [
    { name: 'idx_scheduled_jobs_status_due', columns: ['status', 'dueAt'] },
    { name: 'idx_scheduled_jobs_user_due', columns: ['userId', 'dueAt'] },
  ],
});

import type { JobStatus, NewScheduledJob, ScheduledJob } from './scheduled-job.js';

/** Result of inserting a job under the job_key unique key. */
export interface JobInsertResult {
  readonly job: ScheduledJob;
  /** False when the key already existed; `job` is then the stored one, whatever its payload. */
  readonly inserted: boolean;
}

/** Filters for listing jobs, soonest due first. */
export interface JobListQuery {
  readonly userId?: string;
  readonly status?: JobStatus;
  readonly limit: number;
  /** Opaque token from a previous page; a foreign one throws InvalidCursorError. */
  readonly cursor?: string;
}

/** One page of jobs. */
export interface JobListPage {
  readonly jobs: ScheduledJob[];
  /** Undefined on the last page. */
  readonly nextCursor: string | undefined;
}

/**
 * Persistence of scheduled jobs. Database time (not the process clock) decides what is due, and the
 * claim queries lock with SKIP LOCKED so several scanners split the work without double fires.
 */
export interface JobStore {
  /** Insert a waiting job, or return the stored one for the same job_key (the unique index decides). */
  insertOrFind(job: NewScheduledJob, now: Date): Promise<JobInsertResult>;
  findByKey(jobKey: string): Promise<ScheduledJob | null>;
  /** waiting → cancelled; null when the job is missing or not waiting. */
  cancel(jobKey: string, now: Date): Promise<ScheduledJob | null>;
  list(query: JobListQuery): Promise<JobListPage>;
  /**
   * Claim up to `limit` waiting jobs with due_at <= database now, mark them triggered (fired_at =
   * database now) and commit; returns their keys for the caller to publish.
   */
  fireDue(limit: number): Promise<string[]>;
  /**
   * Triggered jobs with no notification ids whose last publish is older than `graceMs` (the publish
   * or the consumer was lost): touch them so other scanners skip them for a grace period, and
   * return their keys for republishing.
   */
  claimStalled(graceMs: number, limit: number): Promise<string[]>;
  /** Store the notifications a fire produced, once; false when they were already recorded. */
  recordNotifications(jobKey: string, notificationIds: readonly string[]): Promise<boolean>;
  /**
   * triggered (with no notifications recorded) → failed with `reason` and `message`, so the fire
   * is never republished; false when the job was not in that state.
   */
  markFailed(jobKey: string, reason: string, message: string): Promise<boolean>;
}

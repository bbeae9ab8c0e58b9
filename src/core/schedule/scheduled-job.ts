import type { TriggerInput } from '../delivery/trigger-input.js';
import type { EventInput } from '../event/event.js';

/**
 * Stored scheduled-job status words (docs/architecture.md §7): waiting → triggered | cancelled;
 * triggered → failed when the fire fails for a reason retrying cannot fix.
 */
export type JobStatus = 'waiting' | 'triggered' | 'cancelled' | 'failed';

/** A trigger to fire at `dueAt` (table scheduled_jobs), keyed by the caller's `jobKey`. */
export interface ScheduledJob {
  readonly jobKey: string;
  readonly userId: string;
  readonly dueAt: Date;
  readonly status: JobStatus;
  /** The trigger exactly as scheduled; validated again (defaults applied) when it fires. */
  readonly trigger: TriggerInput;
  /** Set instead of a trigger: the event published (EventService) when the job fires. */
  readonly event: EventInput | null;
  /** sha256 hex of the canonical trigger: a repeat ScheduleJob with another payload conflicts. */
  readonly payloadHash: string;
  /** Database time the scanner claimed the job; null until then. */
  readonly firedAt: Date | null;
  /** Notifications the fire produced; null until the workflow consumer has run it. */
  readonly notificationIds: readonly string[] | null;
  /** Why the fire failed (stable snake_case) when status is `failed`; else null. */
  readonly failureReason: string | null;
  /** What failed, for people, when status is `failed`; else null. */
  readonly failureMessage: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Fields the scheduler supplies for a new job; the store fills status, times and results. */
export type NewScheduledJob = Pick<
  ScheduledJob,
  'jobKey' | 'userId' | 'dueAt' | 'trigger' | 'payloadHash'
> & {
  readonly event?: EventInput | null;
};

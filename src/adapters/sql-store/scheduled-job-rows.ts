import { parseJobPayload } from '../../core/schedule/job-payload.js';
import type { JobStatus, ScheduledJob } from '../../core/schedule/scheduled-job.js';
import {
  type RawRow,
  readDate,
  readJson,
  readNullableDate,
  readNullableText,
  readText,
} from './row-values.js';

/** Column list of scheduled_jobs for raw SELECTs (the surrogate id is never exposed). */
export const JOB_COLUMNS =
  'job_key, user_id, due_at, status, trigger_payload, payload_hash, fired_at, notification_ids, failure_reason, failure_message, created_at, updated_at';

function readIds(row: RawRow): string[] | null {
  const parsed = readJson(row, 'notification_ids');
  if (parsed === null) return null;
  return Array.isArray(parsed) ? parsed.filter((id): id is string => typeof id === 'string') : [];
}

/** Maps a raw scheduled_jobs row to the domain job. */
export function mapJobRow(row: RawRow): ScheduledJob {
  const payload = parseJobPayload(readText(row, 'trigger_payload'));
  return {
    jobKey: readText(row, 'job_key'),
    userId: readText(row, 'user_id'),
    dueAt: readDate(row, 'due_at'),
    status: readText(row, 'status') as JobStatus,
    trigger: payload.trigger,
    event: payload.event,
    payloadHash: readText(row, 'payload_hash'),
    firedAt: readNullableDate(row, 'fired_at'),
    notificationIds: readIds(row),
    failureReason: readNullableText(row, 'failure_reason'),
    failureMessage: readNullableText(row, 'failure_message'),
    createdAt: readDate(row, 'created_at'),
    updatedAt: readDate(row, 'updated_at'),
  };
}

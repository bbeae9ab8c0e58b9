import { FIELD_LIMITS, validateTrigger, type TriggerInput } from '../delivery/trigger-input.js';
import type { ChannelRegistry } from '../channels/channel-registry.js';
import { checkId } from '../shared/field-rules.js';
import { GatewayError, invalidField } from '../shared/gateway-error.js';
import type { EventInput } from '../event/event.js';
import { validateEvent } from '../event/event-input.js';

/** Prefix of the dedupe key a fired job gets when its trigger carries none. */
export const JOB_DEDUPE_PREFIX = 'job:';

/** Longest job_key: `job:<job_key>` must still fit the 191-character dedupe_key column. */
export const MAX_JOB_KEY_LENGTH = FIELD_LIMITS.dedupeKey - JOB_DEDUPE_PREFIX.length;

// DATETIME(3) holds years 1000–9999; anything outside is a caller bug, not a schedule.
const EARLIEST_DUE = Date.UTC(1970, 0, 1);
const LATEST_DUE = Date.UTC(9999, 11, 31);

/** A ScheduleJob request as the RPC layer hands it over. */
export interface ScheduleJobInput {
  readonly jobKey: string;
  readonly dueAt: Date | undefined;
  readonly trigger: TriggerInput | undefined;
  /** Instead of a trigger: an event to publish when due (exactly one of the two). */
  readonly event?: EventInput | undefined;
}

/** Validates a job key (required, length-limited, an exact id); throws InvalidArgument naming `job_key`. */
export function validateJobKey(jobKey: string): string {
  checkId('job_key', jobKey, MAX_JOB_KEY_LENGTH);
  return jobKey;
}

/** Re-throws a trigger validation error with its field under `trigger.` (e.g. `trigger.user_id`). */
function underTrigger(error: unknown): unknown {
  if (!(error instanceof GatewayError) || error.field === undefined) return error;
  const field = `trigger.${error.field}`;
  const message = error.message.startsWith(`${error.field}:`)
    ? `trigger.${error.message}`
    : `${field}: ${error.message}`;
  return new GatewayError(error.kind, error.reason, message, field);
}

/**
 * Validates a ScheduleJob request: job_key, due_at, and the trigger exactly as Trigger validates it
 * (so a job that would be rejected at fire time is rejected now). Throws InvalidArgument naming the
 * first bad field.
 */
export function validateScheduleRequest(
  input: ScheduleJobInput,
  channels: ChannelRegistry,
  maxTextLength: number,
  templates: Readonly<Record<string, string>> = {},
): { jobKey: string; dueAt: Date; trigger: TriggerInput | undefined; event: EventInput | undefined } {
  const jobKey = validateJobKey(input.jobKey);
  const dueAt = input.dueAt;
  if (dueAt === undefined) throw invalidField('due_at', 'field_required', 'is required');
  if (Number.isNaN(dueAt.getTime()) || dueAt.getTime() < EARLIEST_DUE || dueAt.getTime() > LATEST_DUE) {
    throw invalidField('due_at', 'invalid_value', 'must be between 1970 and 9999');
  }
  if (input.event !== undefined) {
    if (input.trigger !== undefined)
      throw invalidField('event', 'invalid_value', 'set either trigger or event, not both');
    // Validated now exactly as PublishEvent will validate it when the job fires.
    validateEvent(input.event, dueAt, maxTextLength);
    return { jobKey, dueAt, trigger: undefined, event: input.event };
  }
  if (input.trigger === undefined) throw invalidField('trigger', 'field_required', 'is required (or event)');
  try {
    validateTrigger(input.trigger, channels, maxTextLength, templates);
  } catch (error) {
    throw underTrigger(error);
  }
  return { jobKey, dueAt, trigger: input.trigger, event: undefined };
}

/** The trigger a fired job runs: its own dedupe_key, else one derived from the job key. */
export function triggerForFire(jobKey: string, trigger: TriggerInput): TriggerInput {
  return trigger.dedupeKey ? trigger : { ...trigger, dedupeKey: `${JOB_DEDUPE_PREFIX}${jobKey}` };
}

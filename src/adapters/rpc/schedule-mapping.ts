import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { TriggerRequestSchema, type TriggerRequest } from '../../gen/notify/v1/notification_service_pb.js';
import { JobSchema, JobStatus, type Job } from '../../gen/notify/v1/schedule_service_pb.js';
import type { TriggerInput } from '../../core/delivery/trigger-input.js';
import { toProtoEvent } from './event-mapping.js';
import type { JobStatus as StoredJobStatus, ScheduledJob } from '../../core/schedule/scheduled-job.js';

const STATUS_TO_PROTO: Record<StoredJobStatus, JobStatus> = {
  waiting: JobStatus.WAITING,
  triggered: JobStatus.TRIGGERED,
  cancelled: JobStatus.CANCELLED,
  failed: JobStatus.FAILED,
};

/** Stored job status for a proto enum value; undefined for UNSPECIFIED (no filter) or unknown. */
export function jobStatusFromProto(status: JobStatus): StoredJobStatus | undefined {
  return (Object.keys(STATUS_TO_PROTO) as StoredJobStatus[]).find((key) => STATUS_TO_PROTO[key] === status);
}

/** A stored trigger back as the API's TriggerRequest. */
export function toProtoTrigger(trigger: TriggerInput): TriggerRequest {
  return create(TriggerRequestSchema, {
    userId: trigger.userId,
    triggerId: trigger.triggerId,
    triggerType: trigger.triggerType,
    previewId: trigger.previewId,
    target: trigger.target,
    message: trigger.message
      ? {
          text: trigger.message.text,
          template: trigger.message.template,
          variables: { ...trigger.message.variables },
        }
      : undefined,
    channels: [...trigger.channels],
    dedupeKey: trigger.dedupeKey,
    critical: trigger.critical,
    traceId: trigger.traceId,
    metadata: { ...trigger.metadata },
  });
}

/** A stored job as the API's Job. */
export function toProtoJob(job: ScheduledJob): Job {
  return create(JobSchema, {
    jobKey: job.jobKey,
    userId: job.userId,
    dueAt: timestampFromDate(job.dueAt),
    status: STATUS_TO_PROTO[job.status],
    trigger: job.event ? undefined : toProtoTrigger(job.trigger),
    event: job.event ? toProtoEvent(job.event) : undefined,
    firedAt: job.firedAt ? timestampFromDate(job.firedAt) : undefined,
    createdAt: timestampFromDate(job.createdAt),
    notificationIds: [...(job.notificationIds ?? [])],
    failureReason: job.failureReason ?? '',
    failureMessage: job.failureMessage ?? '',
  });
}

import type { ServiceImpl } from '@connectrpc/connect';
import { JobStatus, ScheduleService } from '../../gen/notify/v1/schedule_service_pb.js';
import type { JobScheduler } from '../../core/schedule/job-scheduler.js';
import { invalidField } from '../../core/shared/gateway-error.js';
import { dateFromProto, triggerInputFromProto } from './notification-mapping.js';
import { mapErrors } from './notification-service-handler.js';
import { jobStatusFromProto, toProtoJob } from './schedule-mapping.js';

/** notify.v1.ScheduleService over the job scheduler. */
export function createScheduleServiceHandler(scheduler: JobScheduler): ServiceImpl<typeof ScheduleService> {
  return {
    scheduleJob: (request) =>
      mapErrors(async () => {
        // No traceparent fallback: the stored trigger must be exactly the request's, or a retried
        // ScheduleJob under another trace would hash differently and conflict with itself.
        const { job, existing } = await scheduler.schedule({
          jobKey: request.jobKey,
          dueAt: dateFromProto(request.dueAt),
          trigger: request.trigger ? triggerInputFromProto(request.trigger, undefined) : undefined,
        });
        return { job: toProtoJob(job), existing };
      }),
    cancelJob: (request) =>
      mapErrors(async () => ({ job: toProtoJob(await scheduler.cancel(request.jobKey)) })),
    getJob: (request) => mapErrors(async () => ({ job: toProtoJob(await scheduler.get(request.jobKey)) })),
    listJobs: (request) =>
      mapErrors(async () => {
        const status = jobStatusFromProto(request.status);
        if (request.status !== JobStatus.UNSPECIFIED && status === undefined) {
          throw invalidField('status', 'invalid_value', 'is not a job status');
        }
        const page = await scheduler.list({
          userId: request.userId || undefined,
          status,
          pageSize: request.pageSize,
          cursor: request.pageToken || undefined,
        });
        return { jobs: page.jobs.map(toProtoJob), nextPageToken: page.nextCursor ?? '' };
      }),
  };
}

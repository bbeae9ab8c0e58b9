import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { createClient, type Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { ScheduleService, type Job } from '../../src/gen/notify/v1/schedule_service_pb.js';
import { waitFor } from './wait-for.js';

export type ScheduleClient = Client<typeof ScheduleService>;

/** A connect-node gRPC client of notify.v1.ScheduleService. */
export function scheduleClient(baseUrl: string): ScheduleClient {
  return createClient(ScheduleService, createGrpcTransport({ baseUrl }));
}

/** A ScheduleJob request for `userId` through the mock channel, due at `dueAt`. */
export function jobRequest(jobKey: string, dueAt: Date, userId: string, extra: Record<string, unknown> = {}) {
  return {
    jobKey,
    dueAt: timestampFromDate(dueAt),
    trigger: {
      userId,
      triggerId: `trigger-${jobKey}`,
      triggerType: 'reminder',
      message: { text: `job ${jobKey}` },
      channels: ['mock'],
      ...extra,
    },
  };
}

/** Poll GetJob until the fired job has recorded its notification ids; returns the job. */
export async function waitForJobFired(
  client: ScheduleClient,
  jobKey: string,
  timeoutMs = 20_000,
): Promise<Job> {
  let last: Job | undefined;
  await waitFor(
    async () => {
      last = (await client.getJob({ jobKey })).job;
      return (last?.notificationIds.length ?? 0) > 0;
    },
    `job ${jobKey} to fire`,
    timeoutMs,
  );
  return last as Job;
}

/** Milliseconds since the epoch of a proto timestamp (0 when absent). */
export function millisOf(timestamp: { seconds: bigint; nanos: number } | undefined): number {
  return timestamp ? Number(timestamp.seconds) * 1000 + Math.floor(timestamp.nanos / 1e6) : 0;
}

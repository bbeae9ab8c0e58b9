import { Code, ConnectError } from '@connectrpc/connect';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorInfoSchema } from '../../src/gen/google/rpc/error_details_pb.js';
import { NotificationStatus } from '../../src/gen/notify/v1/notification_pb.js';
import { JobStatus } from '../../src/gen/notify/v1/schedule_service_pb.js';
import { notificationClient, waitForTerminal, type NotificationClient } from '../helpers/notify-clients.js';
import {
  jobRequest,
  millisOf,
  scheduleClient,
  waitForJobFired,
  type ScheduleClient,
} from '../helpers/schedule-clients.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { sleep } from '../helpers/wait-for.js';

let harness: TestGateway;
let jobs: ScheduleClient;
let notifications: NotificationClient;

beforeAll(async () => {
  harness = await startTestGateway({ scanner: { intervalMs: 100, batchSize: 50 } });
  jobs = scheduleClient(harness.baseUrl);
  notifications = notificationClient(harness.baseUrl);
});

afterAll(async () => {
  await harness?.stop();
});

let counter = 0;
function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}-${Date.now()}`;
}

function deliveriesFor(userId: string) {
  return harness.mock().deliveries.filter((delivery) => delivery.userId === userId);
}

async function rejection(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error('expected the call to fail');
}

describe('a scheduled job fires when due, not before', () => {
  it('delivers after due_at; GetJob shows fired_at and the notification ids', async () => {
    const userId = unique('due-user');
    const jobKey = unique('due-job');
    const dueAt = new Date(Date.now() + 2000);
    const scheduled = await jobs.scheduleJob(jobRequest(jobKey, dueAt, userId));
    expect(scheduled.existing).toBe(false);
    expect(scheduled.job?.status).toBe(JobStatus.WAITING);
    expect(millisOf(scheduled.job?.dueAt)).toBe(dueAt.getTime());

    await sleep(Math.max(0, dueAt.getTime() - Date.now() - 300));
    expect(deliveriesFor(userId)).toHaveLength(0);
    expect((await jobs.getJob({ jobKey })).job?.status).toBe(JobStatus.WAITING);

    const fired = await waitForJobFired(jobs, jobKey);
    expect(fired.status).toBe(JobStatus.TRIGGERED);
    expect(millisOf(fired.firedAt)).toBeGreaterThanOrEqual(dueAt.getTime());
    expect(fired.notificationIds).toHaveLength(1);
    const id = fired.notificationIds[0] ?? '';
    const done = await waitForTerminal(notifications, id);
    expect(done.status).toBe(NotificationStatus.SENT);
    expect(done.dedupeKey).toBe(`job:${jobKey}`);
    const delivered = deliveriesFor(userId);
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.receivedAt.getTime()).toBeGreaterThanOrEqual(dueAt.getTime());
    expect(delivered[0]?.text).toBe(`job ${jobKey}`);
  });

  it('a job already due fires on the next tick', async () => {
    const userId = unique('past-user');
    const jobKey = unique('past-job');
    await jobs.scheduleJob(jobRequest(jobKey, new Date(Date.now() - 60_000), userId));
    const fired = await waitForJobFired(jobs, jobKey, 5000);
    expect((await waitForTerminal(notifications, fired.notificationIds[0] ?? '')).status).toBe(
      NotificationStatus.SENT,
    );
  });
});

describe('cancel', () => {
  it('a cancelled job never fires; cancelling again returns it; a fired job cannot be cancelled', async () => {
    const userId = unique('cancel-user');
    const jobKey = unique('cancel-job');
    const dueAt = new Date(Date.now() + 800);
    await jobs.scheduleJob(jobRequest(jobKey, dueAt, userId));
    expect((await jobs.cancelJob({ jobKey })).job?.status).toBe(JobStatus.CANCELLED);
    expect((await jobs.cancelJob({ jobKey })).job?.status).toBe(JobStatus.CANCELLED);
    await sleep(dueAt.getTime() - Date.now() + 1000);
    const after = (await jobs.getJob({ jobKey })).job;
    expect(after?.status).toBe(JobStatus.CANCELLED);
    expect(after?.firedAt).toBeUndefined();
    expect(after?.notificationIds).toEqual([]);
    expect(deliveriesFor(userId)).toHaveLength(0);

    const firedKey = unique('fired-job');
    await jobs.scheduleJob(jobRequest(firedKey, new Date(Date.now() - 1000), userId));
    await waitForJobFired(jobs, firedKey, 5000);
    const error = await rejection(jobs.cancelJob({ jobKey: firedKey }));
    expect(error.code).toBe(Code.FailedPrecondition);
    expect(error.findDetails(ErrorInfoSchema)[0]?.reason).toBe('job_already_triggered');
  });
});

describe('ScheduleJob is idempotent by job_key', () => {
  it('same key and payload → the same job with existing = true; anything different → AlreadyExists', async () => {
    const userId = unique('idem-user');
    const jobKey = unique('idem-job');
    const dueAt = new Date(Date.now() + 60_000);
    const first = await jobs.scheduleJob(jobRequest(jobKey, dueAt, userId, { metadata: { a: '1', b: '2' } }));
    const again = await jobs.scheduleJob(jobRequest(jobKey, dueAt, userId, { metadata: { b: '2', a: '1' } }));
    expect(again.existing).toBe(true);
    expect(again.job?.createdAt).toEqual(first.job?.createdAt);
    expect(again.job?.trigger?.metadata).toEqual({ a: '1', b: '2' });

    const otherText = await rejection(
      jobs.scheduleJob(jobRequest(jobKey, dueAt, userId, { message: { text: 'changed' } })),
    );
    expect(otherText.code).toBe(Code.AlreadyExists);
    expect(otherText.findDetails(ErrorInfoSchema)[0]?.reason).toBe('job_key_conflict');
    const otherTime = await rejection(
      jobs.scheduleJob(jobRequest(jobKey, new Date(dueAt.getTime() + 1), userId)),
    );
    expect(otherTime.code).toBe(Code.AlreadyExists);
    await jobs.cancelJob({ jobKey });
  });

  it('20 concurrent identical ScheduleJob calls: one job, 19 existing', async () => {
    const request = jobRequest(unique('race-job'), new Date(Date.now() + 60_000), unique('race-user'));
    const results = await Promise.all(Array.from({ length: 20 }, () => jobs.scheduleJob(request)));
    expect(results.filter((result) => !result.existing)).toHaveLength(1);
    await jobs.cancelJob({ jobKey: request.jobKey });
  });

  it('two jobs whose triggers share a dedupe_key send once (same trigger path, same dedupe)', async () => {
    const userId = unique('shared-dedupe');
    const past = new Date(Date.now() - 1000);
    // The same trigger under two job keys: a dedupe key repeated with another payload would be
    // idempotency_key_reused instead (request-hardening.test.ts).
    const extra = { dedupeKey: 'one-reminder', triggerId: 'one-reminder', message: { text: 'one reminder' } };
    await jobs.scheduleJob(jobRequest(unique('dd-a'), past, userId, extra));
    await jobs.scheduleJob(jobRequest(unique('dd-b'), past, userId, extra));
    const listed = await jobs.listJobs({ userId });
    const fired = await Promise.all(listed.jobs.map((job) => waitForJobFired(jobs, job.jobKey, 5000)));
    expect(new Set(fired.map((job) => job.notificationIds[0])).size).toBe(1);
    await waitForTerminal(notifications, fired[0]?.notificationIds[0] ?? '');
    await sleep(300);
    expect(deliveriesFor(userId)).toHaveLength(1);
  });
});

describe('validation', () => {
  const valid = () => jobRequest(unique('v-job'), new Date(Date.now() + 60_000), 'v-user');
  const cases: Array<[string, (r: ReturnType<typeof valid>) => object, string, string]> = [
    ['missing job_key', (r) => ({ ...r, jobKey: '' }), 'job_key', 'field_required'],
    ['oversized job_key', (r) => ({ ...r, jobKey: 'k'.repeat(188) }), 'job_key', 'field_too_long'],
    ['missing due_at', (r) => ({ ...r, dueAt: undefined }), 'due_at', 'field_required'],
    ['missing trigger', (r) => ({ ...r, trigger: undefined }), 'trigger', 'field_required'],
    [
      'missing trigger.user_id',
      (r) => ({ ...r, trigger: { ...r.trigger, userId: '' } }),
      'trigger.user_id',
      'field_required',
    ],
    [
      'unknown channel',
      (r) => ({ ...r, trigger: { ...r.trigger, channels: ['pigeon'] } }),
      'trigger.channels[0]',
      'unknown_channel',
    ],
    [
      'missing message',
      (r) => ({ ...r, trigger: { ...r.trigger, message: { text: '' } } }),
      'trigger.message.text',
      'field_required',
    ],
  ];

  it.each(cases)('%s → InvalidArgument naming %s, nothing stored', async (_name, change, field, reason) => {
    const request = change(valid());
    const error = await rejection(jobs.scheduleJob(request));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toContain(field);
    const info = error.findDetails(ErrorInfoSchema)[0];
    expect(info?.reason).toBe(reason);
    expect(info?.metadata.field).toBe(field);
  });

  it('unknown job → NotFound', async () => {
    expect((await rejection(jobs.getJob({ jobKey: 'nope' }))).code).toBe(Code.NotFound);
    expect((await rejection(jobs.cancelJob({ jobKey: 'nope' }))).code).toBe(Code.NotFound);
  });
});

describe('ListJobs', () => {
  it('filters by user and status and pages soonest first without gaps', async () => {
    const userId = unique('list-user');
    const base = Date.now() + 3_600_000;
    const keys = Array.from({ length: 5 }, (_, i) => `list-${userId}-${i}`);
    for (const [i, key] of keys.entries())
      await jobs.scheduleJob(jobRequest(key, new Date(base + i * 1000), userId));
    await jobs.cancelJob({ jobKey: keys[4] ?? '' });
    const seen: string[] = [];
    let pageToken = '';
    do {
      const page = await jobs.listJobs({ userId, status: JobStatus.WAITING, pageSize: 2, pageToken });
      seen.push(...page.jobs.map((job) => job.jobKey));
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen).toEqual(keys.slice(0, 4));
    const cancelled = await jobs.listJobs({ userId, status: JobStatus.CANCELLED });
    expect(cancelled.jobs.map((job) => job.jobKey)).toEqual([keys[4]]);
    expect((await rejection(jobs.listJobs({ userId, pageToken: 'garbage!' }))).code).toBe(
      Code.InvalidArgument,
    );
    for (const key of keys.slice(0, 4)) await jobs.cancelJob({ jobKey: key });
  });
});

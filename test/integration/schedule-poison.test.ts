import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteTopology } from '../../src/adapters/amqp-bus/topology.js';
import { normalizeTrigger, triggerPayloadHash } from '../../src/core/schedule/job-payload.js';
import { createLogger } from '../../src/core/shared/logger.js';
import { UnstorableValueError } from '../../src/core/shared/unstorable-value-error.js';
import { migrateDatabase, openDatabase, type OpenDatabase } from '../../src/adapters/sql-store/open-store.js';
import { NotificationStatus } from '../../src/gen/notify/v1/notification_pb.js';
import { JobStatus, type Job } from '../../src/gen/notify/v1/schedule_service_pb.js';
import { startGateway, type RunningGateway } from '../../src/server.js';
import { notificationClient, waitForTerminal } from '../helpers/notify-clients.js';
import {
  jobRequest,
  scheduleClient,
  waitForJobFired,
  type ScheduleClient,
} from '../helpers/schedule-clients.js';
import { newNotification } from '../helpers/notification-fixtures.js';
import { createTestDatabase } from '../helpers/test-database.js';
import { TEST_AMQP_URL, uniqueSuffix } from '../helpers/test-env.js';
import { TEST_SECRET_KEYS, testConfig } from '../helpers/test-gateway.js';
import { sleep, waitFor } from '../helpers/wait-for.js';

// Issue 12 item 4 on both stores: ScheduleJob accepts what Trigger accepts, and a fire that fails
// for a reason retrying cannot fix ends the job FAILED once, with its reason, instead of being
// redelivered, dead-lettered and republished for ever.

const TEMPLATES = { task_overdue: 'Task {{task}} is overdue' };
/** Short, so a fire left unrecorded would be republished several times while the test watches. */
const RELAY_GRACE_MS = 300;
const FIRE_FAILED = 'scheduled job failed at fire time; it will not be retried';

/** A logger whose JSON lines the test can read. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: createLogger('info', sink), lines };
}

interface Store {
  readonly url: string;
  readonly broker: Record<string, unknown>;
  drop(): Promise<void>;
}

const STORES: ReadonlyArray<[string, () => Promise<Store>]> = [
  [
    'MariaDB and RabbitMQ',
    async () => {
      const database = await createTestDatabase();
      const namePrefix = `sp${uniqueSuffix()}.`;
      await migrateDatabase(database.url, createLogger('silent'));
      return {
        url: database.url,
        broker: { url: TEST_AMQP_URL, namePrefix },
        async drop() {
          await deleteTopology(TEST_AMQP_URL, namePrefix).catch(() => undefined);
          await database.drop();
        },
      };
    },
  ],
  [
    'SQLite and the in-process bus',
    () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'ngw-sched-'));
      return Promise.resolve({
        url: `sqlite:${path.join(dir, 'notify.sqlite')}`,
        broker: { url: 'memory' },
        drop: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
      });
    },
  ],
];

/** Poll GetJob until the job is `status`; returns it. */
async function waitForJobStatus(client: ScheduleClient, jobKey: string, status: JobStatus): Promise<Job> {
  let last: Job | undefined;
  await waitFor(
    async () => {
      last = (await client.getJob({ jobKey })).job;
      return last?.status === status;
    },
    `job ${jobKey} to be ${JobStatus[status]}`,
    20_000,
  );
  return last as Job;
}

describe.each(STORES)('scheduled jobs on %s', (_name, makeStore) => {
  let store: Store;
  let api: RunningGateway;
  let worker: RunningGateway;
  let jobs: ScheduleClient;
  const captured = capturingLogger();
  const firesFailed = (jobKey: string) =>
    captured.lines.filter((line) => line.msg === FIRE_FAILED && line.job_key === jobKey);

  beforeAll(async () => {
    store = await makeStore();
    const shared = {
      database: { url: store.url },
      // A fire that throws is requeued, then dead-lettered after 2 redeliveries.
      broker: { ...store.broker, deliveryLimit: 2, redeliveryDelayMs: 50 },
      scanner: { intervalMs: 100, relayGraceMs: RELAY_GRACE_MS },
      delivery: { templates: TEMPLATES },
    };
    // The api still has the channel `extra`; the worker that fires jobs no longer does.
    const apiConfig = testConfig(store.url, '', {
      ...shared,
      channels: [
        { id: 'mock', plugin: 'mock' },
        { id: 'extra', plugin: 'mock' },
      ],
    });
    api = await startGateway({
      config: apiConfig,
      mode: 'api',
      logger: createLogger('silent'),
      secretKeys: TEST_SECRET_KEYS,
    });
    const workerConfig = testConfig(store.url, '', { ...shared, channels: [{ id: 'mock', plugin: 'mock' }] });
    worker = await startGateway({
      config: workerConfig,
      mode: 'worker',
      logger: captured.logger,
      secretKeys: TEST_SECRET_KEYS,
    });
    jobs = scheduleClient(`http://127.0.0.1:${api.port}`);
  });

  afterAll(async () => {
    await worker?.stop();
    await api?.stop();
    await store?.drop();
  });

  it('accepts a job whose text comes from the trigger_type template, as Trigger does, and sends it', async () => {
    const jobKey = `tpl-${uniqueSuffix()}`;
    const scheduled = await jobs.scheduleJob(
      jobRequest(jobKey, new Date(Date.now() - 1000), 'tpl-user', {
        triggerType: 'task_overdue',
        message: { text: '', template: '', variables: { task: '42' } },
      }),
    );
    expect(scheduled.job?.status).toBe(JobStatus.WAITING);
    const fired = await waitForJobFired(jobs, jobKey);
    const done = await waitForTerminal(
      notificationClient(`http://127.0.0.1:${api.port}`),
      fired.notificationIds[0] ?? '',
    );
    expect(done).toMatchObject({ status: NotificationStatus.SENT, messageText: 'Task 42 is overdue' });
  });

  it('a job whose channel is gone at fire time ends FAILED once with reason unknown_channel, never republished', async () => {
    const jobKey = `gone-${uniqueSuffix()}`;
    await jobs.scheduleJob(
      jobRequest(jobKey, new Date(Date.now() - 1000), 'gone-user', { channels: ['extra'] }),
    );
    const failed = await waitForJobStatus(jobs, jobKey, JobStatus.FAILED);
    expect(failed).toMatchObject({ failureReason: 'unknown_channel', notificationIds: [] });
    expect(failed.failureMessage).toContain('extra');
    // Several relay grace periods: a fire left unrecorded would have been republished meanwhile.
    await sleep(RELAY_GRACE_MS * 5);
    expect(firesFailed(jobKey)).toHaveLength(1);
    expect((await jobs.getJob({ jobKey })).job?.status).toBe(JobStatus.FAILED);
    expect(await worker.bus.deadLetterDepth()).toBe(0);
  });
});

describe('poison jobs and values on MariaDB and RabbitMQ', () => {
  let store: Store;
  let db: OpenDatabase;
  let worker: RunningGateway;
  const captured = capturingLogger();

  beforeAll(async () => {
    store = await STORES[0]![1]();
    db = await openDatabase(store.url, 2, createLogger('silent'));
    const config = testConfig(store.url, '', {
      database: { url: store.url },
      broker: { ...store.broker, deliveryLimit: 2, redeliveryDelayMs: 50 },
      scanner: { intervalMs: 100, relayGraceMs: RELAY_GRACE_MS },
      worker: { httpPort: 0 },
    });
    worker = await startGateway({
      config,
      mode: 'worker',
      logger: captured.logger,
      secretKeys: TEST_SECRET_KEYS,
    });
  });

  afterAll(async () => {
    await worker?.stop();
    await db?.close();
    await store?.drop();
  });

  it('a value the database refuses is an UnstorableValueError, not a retryable failure', async () => {
    // Bypassing validation, as a row written under older rules would: user_id is VARCHAR(128).
    await expect(
      db.notifications.insertOrFind(newNotification({ userId: 'u'.repeat(200) }), new Date()),
    ).rejects.toBeInstanceOf(UnstorableValueError);
  });

  it("a stored job that today's rules reject ends FAILED once with a reason, nothing in notify.dead", async () => {
    // A job accepted under older rules (stored directly): its trigger's user_id is longer than any
    // notification may have, so every fire of it fails the same way.
    const trigger = normalizeTrigger({
      userId: 'u'.repeat(200),
      triggerId: 'poison',
      triggerType: '',
      previewId: '',
      target: undefined,
      message: { text: 'hello', template: '', variables: {} },
      channels: ['mock'],
      dedupeKey: '',
      critical: false,
      traceId: '',
      metadata: {},
    });
    const jobKey = `poison-${uniqueSuffix()}`;
    await db.jobs.insertOrFind(
      {
        jobKey,
        userId: 'poison-user',
        dueAt: new Date(Date.now() - 1000),
        trigger,
        payloadHash: triggerPayloadHash(trigger),
      },
      new Date(),
    );
    await waitFor(
      async () => (await db.jobs.findByKey(jobKey))?.status === 'failed',
      'the job to fail',
      20_000,
    );
    await sleep(RELAY_GRACE_MS * 5);
    const job = await db.jobs.findByKey(jobKey);
    expect(job).toMatchObject({ status: 'failed', notificationIds: null });
    expect(job?.failureReason).toMatch(/^[a-z_]+$/);
    expect(captured.lines.filter((line) => line.msg === FIRE_FAILED && line.job_key === jobKey)).toHaveLength(
      1,
    );
    expect(await worker.bus.deadLetterDepth()).toBe(0);
  });
});

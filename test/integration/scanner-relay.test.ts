import { connect } from 'amqplib';
import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationStatus } from '../../src/gen/notify/v1/notification_pb.js';
import { notificationClient, waitForTerminal, type NotificationClient } from '../helpers/notify-clients.js';
import {
  jobRequest,
  scheduleClient,
  waitForJobFired,
  type ScheduleClient,
} from '../helpers/schedule-clients.js';
import { TEST_AMQP_URL } from '../helpers/test-env.js';
import { waitFor } from '../helpers/wait-for.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

// A short grace so lost messages are found within a second or two.
const overrides = { scanner: { intervalMs: 100, relayGraceMs: 500 } };

let api: TestGateway;
let worker: TestGateway | undefined;
let notifications: NotificationClient;
let jobs: ScheduleClient;

beforeAll(async () => {
  // API only at first: nothing consumes notify.deliver, so the test can lose a message on purpose.
  api = await startTestGateway(overrides, { mode: 'api' });
  notifications = notificationClient(api.baseUrl);
  jobs = scheduleClient(api.baseUrl);
});

afterAll(async () => {
  await worker?.stop();
  await api?.stop();
});

/** Purges the work queue once the trigger's message is in it (Trigger answers before the confirm). */
async function purgeDeliverQueue(): Promise<number> {
  const connection = await connect(TEST_AMQP_URL);
  try {
    const channel = await connection.createChannel();
    const queue = `${api.config.broker.namePrefix}notify.deliver`;
    await waitFor(
      async () => (await channel.checkQueue(queue)).messageCount > 0,
      'the delivery message',
      5_000,
    );
    const { messageCount } = await channel.purgeQueue(queue);
    return messageCount;
  } finally {
    await connection.close();
  }
}

async function startWorker(): Promise<TestGateway> {
  worker ??= await startTestGateway(overrides, {
    mode: 'worker',
    shared: { database: api.database, namePrefix: api.config.broker.namePrefix },
  });
  return worker;
}

describe('outbox relay', () => {
  it('a record whose delivery message was lost still reaches SENT, sent once', async () => {
    const userId = `lost-${Date.now()}`;
    const response = await notifications.trigger({
      userId,
      triggerId: 'lost-1',
      message: { text: 'lost on purpose' },
      channels: ['mock'],
    });
    const id = response.notifications[0]?.id ?? '';
    expect(await purgeDeliverQueue()).toBe(1);

    const running = await startWorker();
    const done = await waitForTerminal(notifications, id, 15_000);
    expect(done.status).toBe(NotificationStatus.SENT);
    expect(done.attempts).toHaveLength(1);
    expect(running.mock().deliveries.filter((d) => d.notificationId === id)).toHaveLength(1);
    expect(running.gateway.scanner?.stats().outbox_relay).toBeGreaterThanOrEqual(1);
  });
});

describe('due-job crash safety', () => {
  it('a job marked triggered whose event never went out is republished after the grace period', async () => {
    const running = await startWorker();
    const userId = `stalled-${Date.now()}`;
    const jobKey = `stalled-job-${Date.now()}`;
    await jobs.scheduleJob(jobRequest(jobKey, new Date(Date.now() + 3_600_000), userId));
    // Exactly the state a scanner leaves when it dies between its commit and its publish.
    const db = await createConnection(api.database.url);
    try {
      await db.query(
        `UPDATE scheduled_jobs SET status = 'triggered', fired_at = UTC_TIMESTAMP(3),
           updated_at = UTC_TIMESTAMP(3) - INTERVAL 2 SECOND WHERE job_key = ?`,
        [jobKey],
      );
    } finally {
      await db.end();
    }
    const fired = await waitForJobFired(jobs, jobKey, 10_000);
    expect(fired.notificationIds).toHaveLength(1);
    const done = await waitForTerminal(notifications, fired.notificationIds[0] ?? '');
    expect(done.status).toBe(NotificationStatus.SENT);
    expect(running.mock().deliveries.filter((d) => d.userId === userId)).toHaveLength(1);
    expect(running.gateway.scanner?.stats().republish_stalled_jobs).toBeGreaterThanOrEqual(1);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotificationStatus } from '../../src/gen/notify/v1/notification_pb.js';
import { JobStatus } from '../../src/gen/notify/v1/schedule_service_pb.js';
import { notificationClient } from '../helpers/notify-clients.js';
import { jobRequest, scheduleClient } from '../helpers/schedule-clients.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { sleep, waitFor } from '../helpers/wait-for.js';

const JOBS = 300;
// Small batches and a short interval so the three scanners contend for the same due rows.
const overrides = { scanner: { intervalMs: 50, batchSize: 10 }, broker: { prefetch: 64 } };

let api: TestGateway;
const workers: TestGateway[] = [];

beforeAll(async () => {
  api = await startTestGateway(overrides, { mode: 'api' });
  const shared = { database: api.database, namePrefix: api.config.broker.namePrefix };
  for (let i = 0; i < 3; i++) workers.push(await startTestGateway(overrides, { mode: 'worker', shared }));
});

afterAll(async () => {
  for (const worker of workers) await worker.stop();
  await api?.stop();
});

describe('three scanners against one database', () => {
  it(`${JOBS} jobs due at once: every job fires exactly once and sends exactly once`, async () => {
    const jobs = scheduleClient(api.baseUrl);
    const userId = `multi-${Date.now()}`;
    const dueAt = new Date();
    const keys = Array.from({ length: JOBS }, (_, i) => `multi-${userId}-${i}`);
    // Scanners paused while the jobs go in, so all 300 are due when the three start together.
    await Promise.all(workers.map((worker) => worker.gateway.scanner?.stop() ?? Promise.resolve()));
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((key) => jobs.scheduleJob(jobRequest(key, dueAt, userId))));
    }
    for (const worker of workers) worker.gateway.scanner?.start();

    const sends = () =>
      workers.flatMap((worker) => worker.mock().deliveries.filter((delivery) => delivery.userId === userId));
    await waitFor(() => sends().length >= JOBS, `${JOBS} deliveries`, 60_000);
    // Let any duplicate that was going to happen arrive.
    await sleep(1000);

    const delivered = sends();
    expect(delivered).toHaveLength(JOBS);
    expect(new Set(delivered.map((delivery) => delivery.notificationId)).size).toBe(JOBS);
    expect(Math.min(...delivered.map((delivery) => delivery.receivedAt.getTime()))).toBeGreaterThanOrEqual(
      dueAt.getTime(),
    );
    const fires = workers.map((worker) => worker.gateway.scanner?.stats().fire_due_jobs ?? 0);
    // The claim, not dedupe, is what keeps it to one: the three scanners' claims add up exactly.
    expect(fires.reduce((sum, n) => sum + n, 0)).toBe(JOBS);
    console.info(`jobs fired per scanner: ${fires.join(', ')}`);

    let pageToken = '';
    const fired: string[] = [];
    do {
      const page = await jobs.listJobs({ userId, status: JobStatus.TRIGGERED, pageSize: 500, pageToken });
      for (const job of page.jobs) {
        expect(job.notificationIds).toHaveLength(1);
        fired.push(job.notificationIds[0] ?? '');
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(new Set(fired).size).toBe(JOBS);
    const records = await notificationClient(api.baseUrl).listNotifications({
      userId,
      statuses: [NotificationStatus.SENT],
      pageSize: 500,
    });
    expect(records.notifications).toHaveLength(JOBS);
  });
});

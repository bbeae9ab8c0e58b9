import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteTopology } from '../../src/adapters/amqp-bus/topology.js';
import { NotificationStatus } from '../../src/gen/notify/v1/notification_pb.js';
import { freePort, requireBuild, runGateway, writeConfigFile } from '../helpers/gateway-process.js';
import { notificationClient, waitForTerminal } from '../helpers/notify-clients.js';
import { parsePrometheus, seriesValue } from '../helpers/prometheus-text.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { TEST_AMQP_URL, uniqueSuffix } from '../helpers/test-env.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';

describe('/metrics', () => {
  let harness: TestGateway;
  beforeAll(async () => {
    harness = await startTestGateway({ retry: { maxAttempts: 3 } });
  });
  afterAll(() => harness?.stop());

  async function scrape(): Promise<Map<string, number>> {
    const response = await fetch(`${harness.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return parsePrometheus(await response.text());
  }

  it('counters move by the expected amounts after a known sequence of triggers', async () => {
    const before = await scrape();
    const client = notificationClient(harness.baseUrl);
    const user = `metrics-${uniqueSuffix()}`;
    const send = (triggerId: string, metadata: Record<string, string> = {}) =>
      client.trigger({ userId: user, triggerId, message: { text: 'm' }, channels: ['mock'], metadata });
    const ids = [
      await send('ok-1'),
      await send('ok-2'),
      await send('perm', { mock_outcomes: 'permanent_fail:payload_invalid' }),
      await send('retry', { mock_outcomes: 'temporary_fail:provider_5xx,success' }),
    ].map((response) => response.notifications[0]?.id ?? '');
    await send('ok-1'); // deduplicated
    await expect(client.trigger({ userId: '', triggerId: 'x', message: { text: 'm' } })).rejects.toThrow(); // rejected
    for (const id of ids) await waitForTerminal(client, id);

    const after = await scrape();
    const delta = (series: string) => seriesValue(after, series) - seriesValue(before, series);
    expect(delta('notify_triggers_total{result="accepted"}')).toBe(4);
    expect(delta('notify_triggers_total{result="deduplicated"}')).toBe(1);
    expect(delta('notify_triggers_total{result="rejected"}')).toBe(1);
    expect(delta('notify_deliveries_total{channel="mock",outcome="success",error_code=""}')).toBe(3);
    expect(
      delta('notify_deliveries_total{channel="mock",outcome="permanent_fail",error_code="payload_invalid"}'),
    ).toBe(1);
    expect(
      delta('notify_deliveries_total{channel="mock",outcome="temporary_fail",error_code="provider_5xx"}'),
    ).toBe(1);
    expect(delta('notify_retries_total{channel="mock"}')).toBe(1);
    expect(delta('notify_delivery_duration_seconds_count{channel="mock"}')).toBe(5);
    expect(seriesValue(after, 'notify_records{status="sent"}')).toBeGreaterThanOrEqual(3);
    expect(seriesValue(after, 'notify_records{status="dead"}')).toBeGreaterThanOrEqual(1);
  });
});

describe('SIGTERM with deliveries in flight', () => {
  let database: TestDatabase;
  const namePrefix = `s${uniqueSuffix()}.`;
  beforeAll(async () => {
    requireBuild();
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await deleteTopology(TEST_AMQP_URL, namePrefix).catch(() => undefined);
    await database?.drop();
  });

  it('50 slow sends: drains with exit 0 and, past the grace period, every aborted send is retried after restart', async () => {
    const port = await freePort();
    const config = writeConfigFile({
      server: { host: '127.0.0.1', port, shutdownGraceMs: 1000 },
      database: { url: database.url },
      broker: { url: TEST_AMQP_URL, namePrefix, prefetch: 64 },
      retry: { initialDelayMs: 200, multiplier: 2, maxDelayMs: 1000 },
      scanner: { intervalMs: 500, relayGraceMs: 2000 },
      log: { level: 'warn' },
    });
    const migrate = runGateway('migrate', { NOTIFY_CONFIG: config });
    expect(await migrate.exited).toBe(0);
    const first = runGateway('all', { NOTIFY_CONFIG: config });
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.ok === true,
      'gateway up',
      20_000,
    );
    const client = notificationClient(url);
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const response = await client.trigger({
        userId: `drain-${i}`,
        triggerId: 'slow',
        message: { text: 'slow' },
        channels: ['mock'],
        metadata: { mock_latency_ms: '3000' },
      });
      ids.push(response.notifications[0]?.id ?? '');
    }
    await waitFor(
      async () =>
        (await client.listNotifications({ statuses: [NotificationStatus.SENDING], pageSize: 100 }))
          .notifications.length === 50,
      '50 sends in flight',
      15_000,
    );
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = runGateway('all', { NOTIFY_CONFIG: config });
    try {
      await waitFor(
        async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.ok === true,
        'gateway up again',
        20_000,
      );
      for (const id of ids) {
        const done = await waitForTerminal(client, id, 30_000);
        expect(done.status).toBe(NotificationStatus.SENT);
      }
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
  });
});

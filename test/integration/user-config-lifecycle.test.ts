import { randomBytes } from 'node:crypto';
import { createClient, type Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteTopology } from '../../src/adapters/amqp-bus/topology.js';
import { ConfigService } from '../../src/gen/notify/v1/config_service_pb.js';
import { NotificationStatus } from '../../src/gen/notify/v1/notification_pb.js';
import { startFeishuEmulator, type FeishuEmulator } from '../helpers/feishu-emulator/index.js';
import { requireBuild, runGateway, writeConfigFile } from '../helpers/gateway-process.js';
import { notificationClient, waitForTerminal } from '../helpers/notify-clients.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.js';
import { TEST_AMQP_URL, uniqueSuffix } from '../helpers/test-env.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

let emulator: FeishuEmulator;
let channels: Array<Record<string, unknown>>;

beforeAll(async () => {
  emulator = await startFeishuEmulator();
  channels = [
    {
      id: 'feishu',
      plugin: 'feishu-webhook',
      config: {
        allowedHosts: ['localhost'],
        allowHttp: true,
        allowedPorts: [emulator.port],
        allowPrivateNetwork: true,
      },
    },
    { id: 'mock', plugin: 'mock' },
  ];
});
afterAll(async () => {
  await emulator?.close();
});

function configClient(harness: TestGateway): Client<typeof ConfigService> {
  return createClient(ConfigService, createGrpcTransport({ baseUrl: harness.baseUrl }));
}

describe('quiet hours and live settings (fake clock)', () => {
  let harness: TestGateway;
  /** Real time at which the fake clock reads 08:00:00.000 UTC (the window's end). */
  let windowEndsAt = 0;
  beforeAll(async () => {
    // The gateway's clock reads 07:59:57 UTC today and runs at real speed: a 22:00–08:00 quiet
    // window ends three real seconds after the trigger.
    const target = new Date();
    target.setUTCHours(7, 59, 57, 0);
    const offset = target.getTime() - Date.now();
    windowEndsAt = target.getTime() + 3000 - offset;
    harness = await startTestGateway({ channels }, { clock: { now: () => new Date(Date.now() + offset) } });
  });
  afterAll(() => harness?.stop());

  it('non-critical waits SCHEDULED until the window ends and goes to the settings current then; critical goes now', async () => {
    const configs = configClient(harness);
    const notifications = notificationClient(harness.baseUrl);
    const before = 'aaaaaaaa-0000-4000-8000-000000000001';
    const after = 'bbbbbbbb-0000-4000-8000-000000000002';
    emulator.addWebhook(before);
    emulator.addWebhook(after);
    const userId = `quiet-${uniqueSuffix()}`;
    const quietHours = { start: '22:00', end: '08:00' };
    await configs.upsertChannelConfig({
      userId,
      channel: 'feishu',
      enabled: true,
      settings: { webhook_url: emulator.webhookUrl(before) },
      timezone: 'UTC',
      quietHours,
    });
    await configs.upsertChannelConfig({
      userId,
      channel: 'mock',
      enabled: true,
      timezone: 'UTC',
      quietHours,
    });

    const started = Date.now();
    const quiet = await notifications.trigger({
      userId,
      triggerId: 'q1',
      message: { text: 'after the window' },
      channels: ['feishu'],
    });
    const critical = await notifications.trigger({
      userId,
      triggerId: 'q2',
      message: { text: 'now' },
      channels: ['mock'],
      critical: true,
    });
    expect(quiet.notifications[0]?.status).toBe(NotificationStatus.SCHEDULED);
    expect(critical.notifications[0]?.status).toBe(NotificationStatus.PENDING);

    const criticalDone = await waitForTerminal(notifications, critical.notifications[0]?.id ?? '');
    expect(criticalDone.status).toBe(NotificationStatus.SENT);
    expect(Date.now() - started).toBeLessThan(2500);

    // The user moves the webhook while the notification waits: delivery uses the new one.
    await configs.upsertChannelConfig({
      userId,
      channel: 'feishu',
      enabled: true,
      settings: { webhook_url: emulator.webhookUrl(after) },
      timezone: 'UTC',
      quietHours,
    });
    const quietDone = await waitForTerminal(notifications, quiet.notifications[0]?.id ?? '', 15_000);
    expect(quietDone.status).toBe(NotificationStatus.SENT);
    const received = emulator.received.filter((message) => message.token === after);
    expect(received).toHaveLength(1);
    expect(received[0]!.at.getTime()).toBeGreaterThanOrEqual(windowEndsAt);
    expect(received[0]!.at.getTime()).toBeLessThan(windowEndsAt + 1500);
    expect(emulator.received.filter((message) => message.token === before)).toHaveLength(0);
  });
});

describe('secret key rotation', () => {
  let database: TestDatabase;
  const namePrefix = `r${uniqueSuffix()}.`;
  const key1 = `k1:${randomBytes(32).toString('base64')}`;
  const key2 = `k2:${randomBytes(32).toString('base64')}`;
  const token = 'cccccccc-0000-4000-8000-000000000003';

  beforeAll(async () => {
    requireBuild();
    database = await createTestDatabase();
    emulator.addWebhook(token, { secret: 'rotation-secret' });
  });
  afterAll(async () => {
    await deleteTopology(TEST_AMQP_URL, namePrefix).catch(() => undefined);
    await database?.drop();
  });

  async function keyIds(): Promise<string[]> {
    const connection = await createConnection(database.url);
    try {
      const [rows] = await connection.query('SELECT key_id FROM user_channel_configs ORDER BY id');
      return (rows as Array<{ key_id: string }>).map((row) => row.key_id);
    } finally {
      await connection.end();
    }
  }

  it('key 1 data decrypts after adding key 2; rotate-secrets re-encrypts; key 1 can then go', async () => {
    const shared = { database, namePrefix };
    const first = await startTestGateway({ channels }, { shared, secretKeys: key1 });
    for (const user of ['r1', 'r2', 'r3']) {
      await configClient(first).upsertChannelConfig({
        userId: user,
        channel: 'feishu',
        enabled: true,
        settings: { webhook_url: emulator.webhookUrl(token), secret: 'rotation-secret' },
      });
    }
    await first.stop();
    expect(await keyIds()).toEqual(['k1', 'k1', 'k1']);

    const both = await startTestGateway({ channels }, { shared, secretKeys: `${key2},${key1}` });
    expect((await configClient(both).getUserConfig({ userId: 'r1' })).channels[0]?.settings.secret).toBe(
      '****cret',
    );
    await both.stop();

    const rotate = runGateway('rotate-secrets', {
      NOTIFY_CONFIG: writeConfigFile({ database: { url: database.url }, log: { level: 'info' } }),
      NOTIFY_SECRET_KEYS: `${key2},${key1}`,
    });
    expect(await rotate.exited).toBe(0);
    expect(rotate.output()).toContain('"rotated":3');
    expect(await keyIds()).toEqual(['k2', 'k2', 'k2']);

    const onlyNew = await startTestGateway({ channels }, { shared, secretKeys: key2 });
    try {
      const notifications = notificationClient(onlyNew.baseUrl);
      const response = await notifications.trigger({
        userId: 'r2',
        triggerId: 'rot-1',
        message: { text: 'still works' },
      });
      expect((await waitForTerminal(notifications, response.notifications[0]?.id ?? '')).status).toBe(
        NotificationStatus.SENT,
      );
      expect(emulator.received.filter((message) => message.token === token)).toHaveLength(1);
    } finally {
      await onlyNew.stop();
    }
  });
});

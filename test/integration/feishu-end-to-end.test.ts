import { Code, ConnectError, createClient, type Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigService } from '../../src/gen/notify/v1/config_service_pb.js';
import { NotificationStatus } from '../../src/gen/notify/v1/notification_pb.js';
import { startFeishuEmulator, type FeishuEmulator } from '../helpers/feishu-emulator/index.js';
import { notificationClient, waitForTerminal, type NotificationClient } from '../helpers/notify-clients.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

let emulator: FeishuEmulator;
let harness: TestGateway;
let notifications: NotificationClient;
let configs: Client<typeof ConfigService>;

const APP_ID = 'cli_e2e_app';
const APP_SECRET = 'e2e-app-secret-value';

beforeAll(async () => {
  emulator = await startFeishuEmulator();
  emulator.addApp(APP_ID, APP_SECRET);
  harness = await startTestGateway({
    delivery: {
      templates: { task_overdue: 'Task {{task}} is overdue' },
      fallbackText: 'Something needs your attention.',
    },
    channels: [
      {
        id: 'feishu',
        plugin: 'feishu-webhook',
        // The emulator is plain HTTP on localhost: production defaults forbid both.
        config: {
          allowedHosts: ['localhost'],
          allowHttp: true,
          allowedPorts: [emulator.port],
          allowPrivateNetwork: true,
          timeoutMs: 3000,
        },
      },
      {
        id: 'feishu-app',
        plugin: 'feishu-openid',
        config: { appId: APP_ID, appSecret: APP_SECRET, baseUrl: emulator.baseUrl, timeoutMs: 3000 },
      },
      { id: 'feishu-strict', plugin: 'feishu-webhook' },
      { id: 'mock', plugin: 'mock' },
    ],
  });
  notifications = notificationClient(harness.baseUrl);
  configs = createClient(ConfigService, createGrpcTransport({ baseUrl: harness.baseUrl }));
});

afterAll(async () => {
  await harness?.stop();
  await emulator?.close();
});

async function rawSettingsColumn(userId: string): Promise<string> {
  const connection = await createConnection(harness.database.url);
  try {
    const [rows] = await connection.query(
      'SELECT settings_ciphertext, key_id FROM user_channel_configs WHERE user_id = ?',
      [userId],
    );
    return JSON.stringify(rows);
  } finally {
    await connection.end();
  }
}

describe('webhook bot end to end', () => {
  it('upsert → Trigger without channels → one signed, rendered webhook; secrets masked and encrypted', async () => {
    const token = 'a1b2c3d4-e5f6-4711-8899-aabbccddeeff';
    const secret = 'signing-secret-e2e';
    emulator.addWebhook(token, { secret });
    const userId = 'webhook-user';
    const upserted = await configs.upsertChannelConfig({
      userId,
      channel: 'feishu',
      enabled: true,
      settings: { webhook_url: emulator.webhookUrl(token), secret },
    });
    expect(upserted.config?.settings.webhook_url).toBe(`****${token.slice(-4)}`);
    expect(upserted.config?.settings.secret).toBe('****-e2e');

    const response = await notifications.trigger({
      userId,
      triggerId: 'overdue-1',
      triggerType: 'task_overdue',
      message: { template: '', variables: { task: 'Ship v1' } },
    });
    expect(response.notifications.map((n) => n.channel)).toEqual(['feishu']);
    const done = await waitForTerminal(notifications, response.notifications[0]?.id ?? '');
    expect(done.status).toBe(NotificationStatus.SENT);
    const received = emulator.received.filter((message) => message.token === token);
    expect(received).toHaveLength(1);
    // The emulator only accepts a body whose sign matches its own HMAC of the timestamp.
    expect(received[0]?.body).toMatchObject({
      msg_type: 'text',
      content: { text: 'Task Ship v1 is overdue' },
    });
    expect(received[0]?.body.sign).toEqual(expect.any(String));

    const column = await rawSettingsColumn(userId);
    expect(column).not.toContain(token);
    expect(column).not.toContain(secret);
    expect(column).not.toContain('open-apis');
    const read = await configs.getUserConfig({ userId });
    expect(read.channels[0]?.settings).toEqual({ webhook_url: `****${token.slice(-4)}`, secret: '****-e2e' });
  });

  it('a deleted webhook (19001) ends DEAD invalid_url and marks the channel invalid until updated', async () => {
    const userId = 'deleted-hook-user';
    await configs.upsertChannelConfig({
      userId,
      channel: 'feishu',
      enabled: true,
      settings: { webhook_url: emulator.webhookUrl('00000000-dead-4bad-8bad-000000000000') },
    });
    const response = await notifications.trigger({
      userId,
      triggerId: 'gone-1',
      message: { text: 'hello?' },
    });
    const done = await waitForTerminal(notifications, response.notifications[0]?.id ?? '');
    expect(done.status).toBe(NotificationStatus.DEAD);
    expect(done.lastErrorCode).toBe('invalid_url');
    const read = await configs.getUserConfig({ userId });
    expect(read.channels[0]).toMatchObject({ state: 'invalid', invalidReason: 'invalid_url' });
    const token = 'f0e1d2c3-b4a5-4969-8877-665544332211';
    emulator.addWebhook(token);
    await configs.upsertChannelConfig({
      userId,
      channel: 'feishu',
      enabled: true,
      settings: { webhook_url: emulator.webhookUrl(token) },
    });
    expect((await configs.getUserConfig({ userId })).channels[0]?.state).toBe('valid');
  });

  it('an error page echoing the hook URL across the stored cut leaves no piece of the token in notification_attempts', async () => {
    const token = '5e5e5e5e-7a7a-4b4b-8c8c-9d9d9d9d9d9d';
    emulator.addWebhook(token);
    const url = emulator.webhookUrl(token);
    // Placed so that the 2,048 characters kept of a non-JSON answer end 12 characters into the
    // token: a cut made before redaction would store those 12 (the URL no longer matches whole).
    const tokenStart = 2048 - 12;
    const page = `${'x'.repeat(tokenStart - (url.length - token.length))}${url} not found</body></html>`;
    emulator.injectFaults([{ route: 'webhook', type: 'http', status: 404, body: page }]);
    const userId = 'echo-page-user';
    await configs.upsertChannelConfig({
      userId,
      channel: 'feishu',
      enabled: true,
      settings: { webhook_url: url },
    });
    const response = await notifications.trigger({ userId, triggerId: 'echo-1', message: { text: 'hi' } });
    await waitForTerminal(notifications, response.notifications[0]?.id ?? '');
    const connection = await createConnection(harness.database.url);
    try {
      const [rows] = await connection.query(
        'SELECT response_payload, error_message FROM notification_attempts WHERE notification_id = ?',
        [response.notifications[0]?.id],
      );
      const stored = JSON.stringify(rows);
      expect(stored).toContain('[REDACTED]');
      // Any 8 characters of the token would be a piece of the credential.
      for (let i = 0; i + 8 <= token.length; i++) expect(stored).not.toContain(token.slice(i, i + 8));
    } finally {
      await connection.end();
    }
  });

  it('a webhook URL with a port other than 443 is refused unless allowedPorts names it', async () => {
    const error = await configs
      .upsertChannelConfig({
        userId: 'port-user',
        channel: 'feishu-strict',
        enabled: true,
        settings: { webhook_url: 'https://open.feishu.cn:8443/open-apis/bot/v2/hook/abc-123' },
      })
      .catch((caught: unknown) => ConnectError.from(caught));
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.InvalidArgument);
    expect((error as ConnectError).rawMessage).toContain('port 8443 is not allowed');
    const ok = await configs.upsertChannelConfig({
      userId: 'port-user',
      channel: 'feishu-strict',
      enabled: true,
      settings: { webhook_url: 'https://open.feishu.cn:443/open-apis/bot/v2/hook/abc-123' },
    });
    expect(ok.config?.state).toBe('valid');
  });

  it('TestChannel sends synchronously and leaves no record', async () => {
    const token = '12345678-1234-4234-8234-123456789abc';
    emulator.addWebhook(token);
    const userId = 'test-channel-user';
    await configs.upsertChannelConfig({
      userId,
      channel: 'feishu',
      enabled: true,
      settings: { webhook_url: emulator.webhookUrl(token) },
    });
    const result = await configs.testChannel({ userId, channel: 'feishu' });
    expect(result.outcome).toBe('success');
    expect(emulator.received.filter((message) => message.token === token)).toHaveLength(1);
    expect((await notifications.listNotifications({ userId })).notifications).toHaveLength(0);
  });
});

describe('app bot end to end', () => {
  it('one token for many sends, Bearer auth, a stable uuid; 5xx then success → two requests, same uuid, one SENT', async () => {
    const openIds = ['ou_e2e_1', 'ou_e2e_2', 'ou_e2e_3', 'ou_e2e_4'];
    for (const [i, openId] of openIds.entries()) {
      emulator.addUser(APP_ID, openId);
      await configs.upsertChannelConfig({
        userId: `app-user-${i}`,
        channel: 'feishu-app',
        enabled: true,
        settings: { open_id: openId },
      });
    }
    const ids = await Promise.all(
      openIds.map(async (_openId, i) => {
        const response = await notifications.trigger({
          userId: `app-user-${i}`,
          triggerId: 'app-1',
          message: { text: `hi ${i}` },
        });
        return response.notifications[0]?.id ?? '';
      }),
    );
    for (const id of ids)
      expect((await waitForTerminal(notifications, id)).status).toBe(NotificationStatus.SENT);
    expect(emulator.tokensIssued(APP_ID)).toBe(1);
    const sends = emulator.requestsTo('messages');
    expect(sends.every((request) => String(request.headers.authorization).startsWith('Bearer t-'))).toBe(
      true,
    );

    emulator.injectFaults([{ type: 'http', status: 502, route: 'messages' }]);
    const before = emulator.requestsTo('messages').length;
    const response = await notifications.trigger({
      userId: 'app-user-0',
      triggerId: 'app-retry',
      message: { text: 'retry me' },
    });
    const id = response.notifications[0]?.id ?? '';
    const done = await waitForTerminal(notifications, id);
    expect(done.status).toBe(NotificationStatus.SENT);
    expect(done.attempts).toHaveLength(2);
    const attempts = emulator.requestsTo('messages').slice(before);
    expect(attempts).toHaveLength(2);
    const uuids = emulator.received
      .filter((message) => message.route === 'messages')
      .map((message) => message.uuid);
    expect(uuids).toContain(id.replaceAll('-', ''));
    expect(emulator.received.filter((message) => message.uuid === id.replaceAll('-', ''))).toHaveLength(1);
  });
});

describe('recipient resolution and rendering', () => {
  it('no channel config → one SKIPPED record with reason no_channel_config', async () => {
    const response = await notifications.trigger({
      userId: 'nobody',
      triggerId: 'n1',
      message: { text: 'x' },
    });
    expect(response.notifications).toHaveLength(1);
    expect(response.notifications[0]).toMatchObject({
      status: NotificationStatus.SKIPPED,
      lastErrorCode: 'no_channel_config',
    });
  });

  it('a disabled channel → SKIPPED channel_disabled', async () => {
    await configs.upsertChannelConfig({ userId: 'disabled-user', channel: 'mock', enabled: false });
    const response = await notifications.trigger({
      userId: 'disabled-user',
      triggerId: 'd1',
      message: { text: 'x' },
      channels: ['mock'],
    });
    expect(response.notifications[0]).toMatchObject({
      status: NotificationStatus.SKIPPED,
      lastErrorCode: 'channel_disabled',
    });
  });

  it('a template with a missing variable sends the fallback text with fallback_used', async () => {
    await configs.upsertChannelConfig({ userId: 'fallback-user', channel: 'mock', enabled: true });
    const response = await notifications.trigger({
      userId: 'fallback-user',
      triggerId: 'f1',
      triggerType: 'task_overdue',
      message: { variables: {} },
    });
    const done = await waitForTerminal(notifications, response.notifications[0]?.id ?? '');
    expect(done).toMatchObject({
      status: NotificationStatus.SENT,
      fallbackUsed: true,
      messageText: 'Something needs your attention.',
    });
    expect(harness.mock().deliveries.find((d) => d.notificationId === done.id)?.text).toBe(
      'Something needs your attention.',
    );
  });

  const invalid: Array<[string, Record<string, string>, string]> = [
    ['missing webhook_url', {}, 'settings.webhook_url'],
    ['http URL', { webhook_url: 'http://open.feishu.cn/open-apis/bot/v2/hook/abc' }, 'settings.webhook_url'],
    [
      'unknown key',
      { webhook_url: 'https://open.feishu.cn/open-apis/bot/v2/hook/abc', colour: 'red' },
      'settings.colour',
    ],
  ];
  it.each(invalid)('invalid settings (%s) → InvalidArgument naming %s', async (_name, settings, field) => {
    // A channel with production URL rules: https only, Feishu hosts only.
    const error = await configs
      .upsertChannelConfig({ userId: 'bad-settings', channel: 'feishu-strict', enabled: true, settings })
      .then(
        () => undefined,
        (caught: unknown) => ConnectError.from(caught),
      );
    expect(error?.code).toBe(Code.InvalidArgument);
    expect(error?.rawMessage).toContain(field);
    expect((await configs.getUserConfig({ userId: 'bad-settings' })).channels).toHaveLength(0);
  });
});

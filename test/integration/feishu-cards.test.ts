import { Code, ConnectError, createClient, type Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
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

const APP_ID = 'cli_cards_app';
const APP_SECRET = 'cards-app-secret-value';
const HOOK = 'c0ffee00-aaaa-4bbb-8ccc-000000000001';

const appChannel = (extra: Record<string, unknown> = {}) => ({
  appId: APP_ID,
  appSecret: APP_SECRET,
  baseUrl: emulator.baseUrl,
  timeoutMs: 3000,
  msgType: 'interactive',
  previewUrl: 'https://preview.example/p/{{preview_id}}',
  ...extra,
});

beforeAll(async () => {
  emulator = await startFeishuEmulator();
  emulator.addApp(APP_ID, APP_SECRET);
  emulator.addWebhook(HOOK);
  harness = await startTestGateway({
    channels: [
      { id: 'feishu-app', plugin: 'feishu-openid', config: appChannel() },
      {
        id: 'feishu-tpl',
        plugin: 'feishu-openid',
        config: appChannel({
          cardTemplates: {
            deploy: {
              en_us: {
                json: '{"config":{"update_multi":true},"header":{"template":"{{header_color}}","title":{"tag":"plain_text","content":"Deploy {{service}}"}},"elements":[{"tag":"markdown","content":"{{text}}"}]}',
              },
            },
          },
        }),
      },
      {
        id: 'feishu-hook',
        plugin: 'feishu-webhook',
        config: {
          allowedHosts: ['localhost'],
          allowedPorts: [emulator.port],
          allowHttp: true,
          allowPrivateNetwork: true,
          msgType: 'interactive',
        },
      },
    ],
  });
  notifications = notificationClient(harness.baseUrl);
  configs = createClient(ConfigService, createGrpcTransport({ baseUrl: harness.baseUrl }));
});

afterAll(async () => {
  await harness?.stop();
  await emulator?.close();
});

/** The card the emulator accepted for a notification (im/v1: parsed from the content string). */
function sentCard(messageId: string): Record<string, unknown> {
  const received = emulator.received.find((message) => message.messageId === messageId);
  expect(received?.msgType).toBe('interactive');
  expect(typeof received?.body['content']).toBe('string');
  return JSON.parse(received?.body['content'] as string) as Record<string, unknown>;
}

type Button = { text: { content: string }; url?: string; value?: Record<string, unknown> };
const buttonsOf = (card: Record<string, unknown>): Button[] =>
  (card['elements'] as Array<{ tag: string; actions?: Button[] }>).flatMap((e) =>
    e.tag === 'action' ? (e.actions ?? []) : [],
  );
const headerOf = (card: Record<string, unknown>) =>
  card['header'] as { template: string; title: { content: string } };

async function deliver(userId: string, channel: string, trigger: Record<string, unknown>) {
  const response = await notifications.trigger({ userId, channels: [channel], ...trigger });
  const done = await waitForTerminal(notifications, response.notifications[0]?.id ?? '');
  return done;
}

describe('cards on the app bot', () => {
  it.each([
    { severity: 'critical', locale: 'zh_cn', colour: 'red', label: '[严重]', ack: '确认', open: '查看详情' },
    {
      severity: 'warning',
      locale: 'en_us',
      colour: 'orange',
      label: '[Warning]',
      ack: 'Acknowledge',
      open: 'Open',
    },
    { severity: 'info', locale: 'en_us', colour: 'blue', label: '[Info]', ack: 'Acknowledge', open: 'Open' },
  ])(
    '$severity in $locale: $colour header, localized title and buttons, content a JSON string',
    async (c) => {
      const userId = `card-${c.severity}-${c.locale}`;
      const openId = `ou_${c.severity}${c.locale.replace('_', '')}`;
      emulator.addUser(APP_ID, openId);
      await configs.upsertChannelConfig({
        userId,
        channel: 'feishu-app',
        enabled: true,
        settings: { open_id: openId },
        locale: c.locale,
      });
      const done = await deliver(userId, 'feishu-app', {
        triggerId: `sev-${c.severity}`,
        triggerType: 'disk_full',
        previewId: 'pv-42',
        target: { type: 'host', id: 'db-7', url: 'https://ops.example/hosts/db-7' },
        message: { text: 'Disk **95%** on db-7' },
        metadata: c.severity === 'critical' ? {} : { severity: c.severity },
        critical: c.severity === 'critical',
      });
      expect(done.status).toBe(NotificationStatus.SENT);
      expect(done.fallbackUsed).toBe(false);
      const card = sentCard(done.providerMessageId);
      expect(headerOf(card).template).toBe(c.colour);
      expect(headerOf(card).title.content).toBe(`${c.label} disk_full`);
      expect(card['config']).toMatchObject({ update_multi: true });
      expect(card['elements']).toContainEqual({
        tag: 'div',
        text: { tag: 'lark_md', content: 'Disk **95%** on db-7' },
      });
      const buttons = buttonsOf(card);
      expect(buttons.map((b) => b.text.content)).toEqual([
        c.open,
        c.locale === 'zh_cn' ? '预览' : 'Preview',
        c.ack,
      ]);
      expect(buttons[0]?.url).toBe('https://ops.example/hosts/db-7');
      expect(buttons[1]?.url).toBe('https://preview.example/p/pv-42');
      expect(buttons[2]?.value).toEqual({ action: 'ack', notification_id: done.id });
    },
  );

  it('a configured template renders with JSON-escaped values; one that cannot render falls back to text', async () => {
    const openId = 'ou_template_user';
    emulator.addUser(APP_ID, openId);
    await configs.upsertChannelConfig({
      userId: 'tpl-user',
      channel: 'feishu-tpl',
      enabled: true,
      settings: { open_id: openId },
      locale: 'en_us',
    });
    const tricky = 'line one\n"quoted" \\ back';
    const done = await deliver('tpl-user', 'feishu-tpl', {
      triggerId: 'deploy-1',
      triggerType: 'deploy',
      message: { text: tricky },
      metadata: { service: 'api', severity: 'warning' },
    });
    const card = sentCard(done.providerMessageId);
    expect(headerOf(card)).toEqual({
      template: 'orange',
      title: { tag: 'plain_text', content: 'Deploy api' },
    });
    expect(card['elements']).toEqual([{ tag: 'markdown', content: tricky }]);
    // {{service}} is missing: the render fails, the text goes out instead and the record says so.
    const fallback = await deliver('tpl-user', 'feishu-tpl', {
      triggerId: 'deploy-2',
      triggerType: 'deploy',
      message: { text: 'plain' },
    });
    expect(fallback.status).toBe(NotificationStatus.SENT);
    expect(fallback.fallbackUsed).toBe(true);
    expect(emulator.received.find((m) => m.messageId === fallback.providerMessageId)?.msgType).toBe('text');
  });

  it('the webhook bot sends the card as an object under `card`, link buttons only', async () => {
    await configs.upsertChannelConfig({
      userId: 'hook-card',
      channel: 'feishu-hook',
      enabled: true,
      settings: { webhook_url: emulator.webhookUrl(HOOK) },
    });
    const done = await deliver('hook-card', 'feishu-hook', {
      triggerId: 'hook-1',
      triggerType: 'build_failed',
      target: { type: 'build', id: '9', url: 'https://ci.example/9' },
      message: { text: 'Build 9 failed' },
      critical: true,
    });
    expect(done.status).toBe(NotificationStatus.SENT);
    const body = emulator.received.filter((m) => m.token === HOOK).at(-1)?.body ?? {};
    expect(body['msg_type']).toBe('interactive');
    const card = body['card'] as Record<string, unknown>;
    expect(headerOf(card).template).toBe('red');
    expect(buttonsOf(card).map((b) => b.url)).toEqual(['https://ci.example/9']);
    expect(buttonsOf(card).some((b) => b.value !== undefined)).toBe(false);
  });

  it('the emulator rejects a card sent as an object in im/v1 content and a card with a bad colour (230099)', async () => {
    const token = await fetch(`${emulator.baseUrl}/open-apis/auth/v3/tenant_access_token/internal`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ app_id: APP_ID, app_secret: APP_SECRET }),
    }).then(async (r) => ((await r.json()) as { tenant_access_token: string }).tenant_access_token);
    emulator.addUser(APP_ID, 'ou_schema_probe');
    const post = (content: unknown) =>
      fetch(`${emulator.baseUrl}/open-apis/im/v1/messages?receive_id_type=open_id`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ receive_id: 'ou_schema_probe', msg_type: 'interactive', content }),
      }).then(async (r) => ((await r.json()) as { code: number }).code);
    const card = { header: { template: 'pink', title: { tag: 'plain_text', content: 'x' } }, elements: [] };
    expect(await post({ elements: [] })).toBe(230001);
    expect(await post(JSON.stringify(card))).toBe(230099);
  });

  it('rejects an unknown locale naming the field', async () => {
    const error = await configs
      .upsertChannelConfig({
        userId: 'bad-locale',
        channel: 'feishu-app',
        enabled: true,
        settings: { open_id: 'ou_x' },
        locale: 'fr_fr',
      })
      .catch((e: unknown) => ConnectError.from(e));
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.InvalidArgument);
    expect((error as ConnectError).rawMessage).toContain('locale');
  });
});

describe('recipients beyond open_id', () => {
  it('a chat_id recipient gets the card in its group', async () => {
    emulator.addChat(APP_ID, 'oc_ops_group');
    await configs.upsertChannelConfig({
      userId: 'group-user',
      channel: 'feishu-app',
      enabled: true,
      settings: { chat_id: 'oc_ops_group' },
    });
    const done = await deliver('group-user', 'feishu-app', {
      triggerId: 'grp-1',
      message: { text: 'to the group' },
    });
    expect(done.status).toBe(NotificationStatus.SENT);
    const received = emulator.received.find((m) => m.messageId === done.providerMessageId);
    expect(received).toMatchObject({
      receiveIdType: 'chat_id',
      receiveId: 'oc_ops_group',
      msgType: 'interactive',
    });
    expect(emulator.requestsTo('messages').at(-1)?.path).toContain('receive_id_type=chat_id');
  });

  it('an email recipient is resolved to its open_id once, then from the cache', async () => {
    emulator.addUser(APP_ID, 'ou_mail_user', { email: 'ada@example.com' });
    await configs.upsertChannelConfig({
      userId: 'mail-user',
      channel: 'feishu-app',
      enabled: true,
      settings: { email: 'ada@example.com' },
    });
    const lookupsBefore = emulator.requestsTo('contact').length;
    for (const triggerId of ['mail-1', 'mail-2']) {
      const done = await deliver('mail-user', 'feishu-app', {
        triggerId,
        message: { text: `mail ${triggerId}` },
      });
      expect(done.status).toBe(NotificationStatus.SENT);
      const received = emulator.received.find((m) => m.messageId === done.providerMessageId);
      expect(received).toMatchObject({
        receiveIdType: 'open_id',
        receiveId: 'ou_mail_user',
        msgType: 'interactive',
      });
    }
    const lookups = emulator.requestsTo('contact').slice(lookupsBefore);
    expect(lookups).toHaveLength(1);
    expect(lookups[0]?.json).toMatchObject({ emails: ['ada@example.com'] });
  });

  it('an email nobody has is SKIPPED with recipient_not_found', async () => {
    await configs.upsertChannelConfig({
      userId: 'ghost-user',
      channel: 'feishu-app',
      enabled: true,
      settings: { email: 'ghost@example.com' },
    });
    const done = await deliver('ghost-user', 'feishu-app', {
      triggerId: 'ghost-1',
      message: { text: 'anyone?' },
    });
    expect(done.status).toBe(NotificationStatus.SKIPPED);
    expect(done.lastErrorCode).toBe('recipient_not_found');
  });

  it('refuses two recipients at once, naming the second', async () => {
    const error = await configs
      .upsertChannelConfig({
        userId: 'two',
        channel: 'feishu-app',
        enabled: true,
        settings: { open_id: 'ou_a', chat_id: 'oc_b' },
      })
      .catch((e: unknown) => ConnectError.from(e));
    expect((error as ConnectError).code).toBe(Code.InvalidArgument);
    expect((error as ConnectError).rawMessage).toContain('settings.chat_id');
  });
});

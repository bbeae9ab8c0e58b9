import { Code, ConnectError, createClient, type Client } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigService } from '../../src/gen/notify/v1/config_service_pb.js';
import { NotificationStatus, type Notification } from '../../src/gen/notify/v1/notification_pb.js';
import { pushCardCallback } from '../helpers/feishu-emulator/card-callback.js';
import { startFeishuEmulator, type FeishuEmulator } from '../helpers/feishu-emulator/index.js';
import { notificationClient, waitForTerminal, type NotificationClient } from '../helpers/notify-clients.js';
import { openDatabase } from '../../src/adapters/sql-store/open-store.js';
import { MessageLifecycle } from '../../src/core/lifecycle/message-lifecycle.js';
import { createSecretBox } from '../../src/core/secrets/create-secret-box.js';
import { createLogger } from '../../src/core/shared/logger.js';
import { systemClock } from '../../src/core/shared/clock.js';
import { UserConfigService } from '../../src/core/user-config/user-config-service.js';
import { startTestGateway, TEST_SECRET_KEYS, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';

let emulator: FeishuEmulator;
let harness: TestGateway;
let notifications: NotificationClient;
let configs: Client<typeof ConfigService>;

const APP_ID = 'cli_lifecycle_app';
const APP_SECRET = 'lifecycle-app-secret';
const VERIFICATION_TOKEN = 'vt-lifecycle-token';
const ENCRYPT_KEY = 'ek-lifecycle-key';
const HOOK = 'c0ffee00-bbbb-4bbb-8ccc-000000000002';
const OPEN_ID = 'ou_lifecycle_user';

const appChannel = (extra: Record<string, unknown> = {}) => ({
  appId: APP_ID,
  appSecret: APP_SECRET,
  baseUrl: emulator.baseUrl,
  timeoutMs: 3000,
  msgType: 'interactive',
  verificationToken: VERIFICATION_TOKEN,
  encryptKey: ENCRYPT_KEY,
  ...extra,
});

beforeAll(async () => {
  emulator = await startFeishuEmulator();
  emulator.addApp(APP_ID, APP_SECRET);
  emulator.addUser(APP_ID, OPEN_ID);
  emulator.addWebhook(HOOK);
  harness = await startTestGateway({
    channels: [
      { id: 'feishu-app', plugin: 'feishu-openid', config: appChannel() },
      { id: 'feishu-norecall', plugin: 'feishu-openid', config: appChannel({ recallWindowMs: 0 }) },
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
  for (const channel of ['feishu-app', 'feishu-norecall']) {
    await configs.upsertChannelConfig({
      userId: 'life-user',
      channel,
      enabled: true,
      settings: { open_id: OPEN_ID },
      locale: 'en_us',
    });
  }
  await configs.upsertChannelConfig({
    userId: 'life-user',
    channel: 'feishu-hook',
    enabled: true,
    settings: { webhook_url: emulator.webhookUrl(HOOK) },
    locale: 'en_us',
  });
});

afterAll(async () => {
  await harness?.stop();
  await emulator?.close();
});

async function sent(channel: string, triggerId: string): Promise<Notification> {
  const response = await notifications.trigger({
    userId: 'life-user',
    channels: [channel],
    triggerId,
    triggerType: 'disk_full',
    message: { text: `alert ${triggerId}` },
    metadata: { severity: 'critical' },
  });
  const done = await waitForTerminal(notifications, response.notifications[0]?.id ?? '');
  expect(done.status).toBe(NotificationStatus.SENT);
  return done;
}

const callbackUrl = () => `${harness.baseUrl}/feishu/callback/feishu-app`;
const ack = (notificationId: string, extra: Partial<Parameters<typeof pushCardCallback>[0]> = {}) =>
  pushCardCallback({
    url: callbackUrl(),
    verificationToken: VERIFICATION_TOKEN,
    encryptKey: ENCRYPT_KEY,
    value: { action: 'ack', notification_id: notificationId },
    operatorOpenId: 'ou_operator_1',
    ...extra,
  });

async function metric(result: string): Promise<number> {
  const text = await fetch(`${harness.baseUrl}/metrics`).then((r) => r.text());
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`notify_callbacks_total{channel="feishu-app",result="${result}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

type Card = {
  header: { template: string };
  elements: Array<{
    tag: string;
    elements?: Array<{ content: string }>;
    actions?: Array<{ value?: unknown }>;
  }>;
};
const noteOf = (card: Card) =>
  card.elements
    .find((e) => e.tag === 'note')
    ?.elements?.map((e) => e.content)
    .join(' ') ?? '';

describe('card action callback', () => {
  it('answers the URL verification challenge (encrypted), and refuses a wrong token', async () => {
    const challenge = await ack('', {
      plaintext: { challenge: 'ch-123', token: VERIFICATION_TOKEN, type: 'url_verification' },
    });
    expect(challenge).toMatchObject({ status: 200, body: { challenge: 'ch-123' } });
    const wrong = await ack('', {
      plaintext: { challenge: 'ch-123', token: 'nope', type: 'url_verification' },
    });
    expect(wrong.status).toBe(401);
  });

  it('a signed, encrypted callback acknowledges: toast + updated card within 3 s, PATCH on Feishu, acknowledged_by set', async () => {
    const done = await sent('feishu-app', 'cb-ok');
    const reply = await ack(done.id);
    expect(reply.status).toBe(200);
    expect(reply.elapsedMs).toBeLessThan(3000);
    const body = reply.body as {
      toast: { type: string; content: string };
      card: { type: string; data: Card };
    };
    expect(body.toast).toMatchObject({ type: 'success', content: 'Acknowledged' });
    expect(body.card.type).toBe('raw');
    expect(noteOf(body.card.data)).toContain('Acknowledged by ou_operator_1');
    // The acknowledge button is gone from the updated card.
    expect(body.card.data.elements.flatMap((e) => e.actions ?? []).some((a) => a.value !== undefined)).toBe(
      false,
    );

    const record = (await notifications.getNotification({ id: done.id })).notification;
    expect(record?.acknowledgedBy).toBe('ou_operator_1');
    expect(record?.acknowledgedAt).toBeDefined();
    await waitFor(() => (emulator.message(done.providerMessageId)?.updates.length ?? 0) === 1, 'card PATCH');
    expect(noteOf(emulator.message(done.providerMessageId)?.content as Card)).toContain(
      'Acknowledged by ou_operator_1',
    );
    await waitFor(async () => {
      const attempts = (await notifications.getNotification({ id: done.id })).notification?.attempts ?? [];
      return attempts.some((a) => a.kind === 'update' && a.errorCode === '');
    }, 'update attempt row');
    expect(await metric('acknowledged')).toBeGreaterThanOrEqual(1);
  });

  it('a bad signature, a stale timestamp or a replayed event id change nothing and are counted', async () => {
    const done = await sent('feishu-app', 'cb-forged');
    const before = {
      bad: await metric('bad_signature'),
      stale: await metric('stale'),
      replay: await metric('replayed'),
    };
    expect((await ack(done.id, { badSignature: true })).status).toBe(401);
    const stale = await ack(done.id, { timestampSeconds: Math.floor(Date.now() / 1000) - 600 });
    expect(stale.status).toBe(401);
    // A real callback's event id, replayed against another notification.
    const other = await sent('feishu-app', 'cb-other');
    const first = await ack(other.id);
    expect(first.status).toBe(200);
    const replay = await ack(done.id, { eventId: first.eventId });
    expect(replay.status).toBe(409);

    const record = (await notifications.getNotification({ id: done.id })).notification;
    expect(record?.acknowledgedBy).toBe('');
    expect(record?.acknowledgedAt).toBeUndefined();
    expect(emulator.message(done.providerMessageId)?.updates).toHaveLength(0);
    expect(await metric('bad_signature')).toBe(before.bad + 1);
    expect(await metric('stale')).toBe(before.stale + 1);
    expect(await metric('replayed')).toBe(before.replay + 1);
  });
});

describe('AcknowledgeNotification and RecallNotification', () => {
  it('AcknowledgeNotification PATCHes the app card; a repeat changes nothing; ListNotifications filters on it', async () => {
    const done = await sent('feishu-app', 'rpc-ack');
    const first = await notifications.acknowledgeNotification({ id: done.id, by: 'alice' });
    expect(first.notification?.acknowledgedBy).toBe('alice');
    const again = await notifications.acknowledgeNotification({ id: done.id, by: 'bob' });
    expect(again.notification?.acknowledgedBy).toBe('alice');
    await waitFor(() => (emulator.message(done.providerMessageId)?.updates.length ?? 0) >= 1, 'card PATCH');
    const card = emulator.message(done.providerMessageId)?.content as Card;
    expect(card.header.template).toBe('red');
    expect(noteOf(card)).toContain('Acknowledged by alice');
    expect(emulator.message(done.providerMessageId)?.updates).toHaveLength(1);

    const acked = await notifications.listNotifications({ userId: 'life-user', acknowledged: true });
    expect(acked.notifications.map((n) => n.id)).toContain(done.id);
    const open = await notifications.listNotifications({ userId: 'life-user', acknowledged: false });
    expect(open.notifications.map((n) => n.id)).not.toContain(done.id);
  });

  it('the webhook bot, which cannot edit, gets a short follow-up instead', async () => {
    const done = await sent('feishu-hook', 'hook-ack');
    const before = emulator.received.filter((m) => m.token === HOOK).length;
    await notifications.acknowledgeNotification({ id: done.id, by: 'carol' });
    await waitFor(
      () => emulator.received.filter((m) => m.token === HOOK).length === before + 1,
      'webhook follow-up',
    );
    const followUp = emulator.received.filter((m) => m.token === HOOK).at(-1);
    expect(followUp?.body).toMatchObject({ msg_type: 'text' });
    expect(JSON.stringify(followUp?.body)).toContain('Acknowledged by carol');
  });

  it('AcknowledgeNotification needs `by` and an existing notification', async () => {
    const missing = await notifications
      .acknowledgeNotification({ id: 'nope', by: 'x' })
      .catch((e: unknown) => ConnectError.from(e));
    expect((missing as ConnectError).code).toBe(Code.NotFound);
    const done = await sent('feishu-app', 'rpc-ack-noby');
    const noBy = await notifications
      .acknowledgeNotification({ id: done.id, by: '' })
      .catch((e: unknown) => ConnectError.from(e));
    expect((noBy as ConnectError).code).toBe(Code.InvalidArgument);
    expect((noBy as ConnectError).rawMessage).toContain('by');
  });

  it('RecallNotification deletes the message; the record stays SENT with recalled_at and a recall attempt', async () => {
    const done = await sent('feishu-app', 'recall-ok');
    const recalled = await notifications.recallNotification({ id: done.id, reason: 'sent by mistake' });
    expect(recalled.notification?.status).toBe(NotificationStatus.SENT);
    expect(recalled.notification?.recalledAt).toBeDefined();
    expect(emulator.message(done.providerMessageId)?.deleted).toBe(true);
    const attempts = (await notifications.getNotification({ id: done.id })).notification?.attempts ?? [];
    expect(attempts.map((a) => a.kind)).toEqual(['send', 'recall']);
    // A second recall is harmless: no second DELETE.
    const deletes = emulator.requests.filter((r) => r.method === 'DELETE').length;
    await notifications.recallNotification({ id: done.id, reason: 'again' });
    expect(emulator.requests.filter((r) => r.method === 'DELETE').length).toBe(deletes);
  });

  it('outside the recall window, or on the webhook bot, RecallNotification is FAILED_PRECONDITION', async () => {
    const late = await sent('feishu-norecall', 'recall-late');
    const error = await notifications
      .recallNotification({ id: late.id, reason: 'x' })
      .catch((e: unknown) => ConnectError.from(e));
    expect((error as ConnectError).code).toBe(Code.FailedPrecondition);
    expect((error as ConnectError).rawMessage).toContain('recalls within');
    expect(emulator.message(late.providerMessageId)?.deleted).toBe(false);
    const hook = await sent('feishu-hook', 'recall-hook');
    const hookError = await notifications
      .recallNotification({ id: hook.id, reason: 'x' })
      .catch((e: unknown) => ConnectError.from(e));
    expect((hookError as ConnectError).code).toBe(Code.FailedPrecondition);
    expect((hookError as ConnectError).rawMessage).toContain('cannot recall');
  });
});

describe('updateMessagesOf: the hook an event resolution calls (issue 14 wires RESOLVED events to it)', () => {
  it('PATCHes the same app message green with "resolved at", and the webhook channel gets a follow-up', async () => {
    const app = await sent('feishu-app', 'resolve-app');
    const hook = await sent('feishu-hook', 'resolve-hook');
    const logger = createLogger('silent');
    const db = await openDatabase(harness.config.database.url, 2, logger);
    try {
      const lifecycle = new MessageLifecycle({
        store: db.notifications,
        channels: harness.gateway.channels,
        settings: new UserConfigService({
          store: db.userConfigs,
          box: createSecretBox(harness.config, TEST_SECRET_KEYS, logger),
          channels: harness.gateway.channels,
          clock: systemClock,
          sendTimeoutMs: 5000,
          maxTextLength: harness.config.delivery.maxTextLength,
        }),
        config: harness.config,
        clock: systemClock,
        logger,
      });
      const hookMessages = emulator.received.filter((m) => m.token === HOOK).length;
      await lifecycle.updateMessagesOf([app.id, hook.id], { resolvedAt: new Date('2026-03-04T05:06:00Z') });
      const patched = emulator.message(app.providerMessageId);
      expect(patched?.updates).toHaveLength(1);
      expect((patched?.content as Card).header.template).toBe('green');
      expect(noteOf(patched?.content as Card)).toContain('Resolved at 2026-03-04 05:06 UTC');
      const followUps = emulator.received.filter((m) => m.token === HOOK).slice(hookMessages);
      expect(followUps).toHaveLength(1);
      expect(JSON.stringify(followUps[0]?.body)).toContain('Resolved at 2026-03-04 05:06 UTC');
      // Replaying the update is harmless: the same card again.
      await lifecycle.updateMessagesOf([app.id], { resolvedAt: new Date('2026-03-04T05:06:00Z') });
      expect(emulator.message(app.providerMessageId)?.updates.at(-1)).toEqual(patched?.updates[0]);
      const attempts = (await notifications.getNotification({ id: app.id })).notification?.attempts ?? [];
      expect(attempts.map((a) => a.kind)).toEqual(['send', 'update', 'update']);
    } finally {
      await db.close();
    }
  });
});

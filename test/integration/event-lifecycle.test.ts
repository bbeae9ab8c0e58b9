import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigService } from '../../src/gen/notify/v1/config_service_pb.js';
import { EventStatus, Severity } from '../../src/gen/notify/v1/event_service_pb.js';
import { NotificationStatus, type Notification } from '../../src/gen/notify/v1/notification_pb.js';
import { eventClient, type EventClient } from '../helpers/event-clients.js';
import { startFeishuEmulator, type FeishuEmulator } from '../helpers/feishu-emulator/index.js';
import { notificationClient, waitForTerminal, type NotificationClient } from '../helpers/notify-clients.js';
import { TEST_AMQP_URL, uniqueSuffix } from '../helpers/test-env.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';

const run = uniqueSuffix();
const exchange = `t${run}.svc-events`;
const queue = `t${run}.svc-ingest`;
const APP_ID = 'cli_event_lifecycle_app';
const APP_SECRET = 'event-lifecycle-secret';
const HOOK = 'c0ffee00-cccc-4ccc-8ccc-000000000015';
const alice = { userId: `alice-${run}`, openId: `ou_alice_${run}` };
const bob = { userId: `bob-${run}`, openId: `ou_bob_${run}` };

let emulator: FeishuEmulator;
let harness: TestGateway;
let events: EventClient;
let notifications: NotificationClient;
let model: ChannelModel;
let amqp: Channel;

type Card = {
  header: { template: string };
  elements: Array<{ tag: string; elements?: Array<{ content: string }> }>;
};
const noteOf = (card: Card) =>
  card.elements
    .find((e) => e.tag === 'note')
    ?.elements?.map((e) => e.content)
    .join(' ') ?? '';
const hookMessages = () => emulator.received.filter((m) => m.token === HOOK);

beforeAll(async () => {
  model = await connect(TEST_AMQP_URL);
  amqp = await model.createChannel();
  await amqp.assertExchange(exchange, 'topic', { durable: false, autoDelete: false });
  emulator = await startFeishuEmulator();
  emulator.addApp(APP_ID, APP_SECRET);
  emulator.addUser(APP_ID, alice.openId);
  emulator.addUser(APP_ID, bob.openId);
  emulator.addWebhook(HOOK);
  harness = await startTestGateway({
    channels: [
      {
        id: 'feishu-app',
        plugin: 'feishu-openid',
        config: { appId: APP_ID, appSecret: APP_SECRET, baseUrl: emulator.baseUrl, msgType: 'interactive' },
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
    ingest: { amqp: [{ exchange, bindingKeys: ['svc.#'], queue }] },
    // Only FIRING events notify; a RESOLVED one updates what its fingerprint sent.
    rules: [
      {
        name: 'firing-to-users',
        match: { type: 'svc.*', status: 'firing' },
        recipients: { eventUsers: true },
      },
    ],
  });
  events = eventClient(harness.baseUrl);
  notifications = notificationClient(harness.baseUrl);
  const configs = createClient(ConfigService, createGrpcTransport({ baseUrl: harness.baseUrl }));
  for (const user of [alice, bob]) {
    await configs.upsertChannelConfig({
      userId: user.userId,
      channel: 'feishu-app',
      enabled: true,
      settings: { open_id: user.openId },
      locale: 'en_us',
    });
  }
  await configs.upsertChannelConfig({
    userId: alice.userId,
    channel: 'feishu-hook',
    enabled: true,
    settings: { webhook_url: emulator.webhookUrl(HOOK) },
    locale: 'en_us',
  });
});

afterAll(async () => {
  await harness?.stop();
  await emulator?.close();
  await amqp?.deleteQueue(queue).catch(() => undefined);
  await amqp?.deleteExchange(exchange).catch(() => undefined);
  await model?.close();
});

function event(eventId: string, userIds: string[], extra: Record<string, unknown> = {}) {
  return {
    eventId,
    type: 'svc.down',
    severity: Severity.CRITICAL,
    userIds,
    summary: `service down (${eventId})`,
    ...extra,
  };
}

async function sentOf(eventId: string, count: number): Promise<Notification[]> {
  const trace = await events.getEvent({ eventId });
  expect(trace.notificationIds).toHaveLength(count);
  const done = await Promise.all(trace.notificationIds.map((id) => waitForTerminal(notifications, id)));
  for (const n of done) expect(n.status).toBe(NotificationStatus.SENT);
  return done;
}

describe('event lifecycle on Feishu (MariaDB + RabbitMQ + Feishu emulator)', () => {
  it('a RESOLVED event PATCHes the FIRING card green in place and follows up on the webhook bot', async () => {
    const fingerprint = `fp-${run}`;
    const resolvedAt = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const firedAt = timestampFromDate(new Date(resolvedAt.getTime() - 60_000));
    await events.publishEvent({
      event: event(`fire-${run}`, [alice.userId], { fingerprint, occurredAt: firedAt }),
    });
    const sent = await sentOf(`fire-${run}`, 2);
    const app = sent.find((n) => n.channel === 'feishu-app');
    const hook = sent.find((n) => n.channel === 'feishu-hook');
    expect(app?.providerMessageId).toMatch(/^om_/);
    expect(hook).toBeDefined();
    expect((emulator.message(app?.providerMessageId ?? '')?.content as Card).header.template).toBe('red');
    const hookBefore = hookMessages().length;
    const sendsBefore = emulator.requestsTo('messages').length;

    const resolved = await events.publishEvent({
      event: event(`resolve-${run}`, [alice.userId], {
        fingerprint,
        status: EventStatus.RESOLVED,
        occurredAt: timestampFromDate(resolvedAt),
      }),
    });
    expect(resolved.deduplicated).toBe(false);
    const stamp = `Resolved at ${resolvedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

    await waitFor(
      () => (emulator.message(app?.providerMessageId ?? '')?.updates.length ?? 0) === 1,
      'card PATCH',
    );
    const card = emulator.message(app?.providerMessageId ?? '')?.content as Card;
    expect(card.header.template).toBe('green');
    expect(noteOf(card)).toContain(stamp);
    await waitFor(() => hookMessages().length === hookBefore + 1, 'webhook follow-up');
    expect(JSON.stringify(hookMessages().at(-1)?.body)).toContain(stamp);
    // Updated in place: no new app message was sent for the resolution.
    expect(emulator.requestsTo('messages')).toHaveLength(sendsBefore);

    // The same RESOLVED event again is deduplicated and updates nothing more.
    const again = await events.publishEvent({
      event: event(`resolve-${run}`, [alice.userId], {
        fingerprint,
        status: EventStatus.RESOLVED,
        occurredAt: timestampFromDate(resolvedAt),
      }),
    });
    expect(again.deduplicated).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(emulator.message(app?.providerMessageId ?? '')?.updates).toHaveLength(1);
    expect(hookMessages()).toHaveLength(hookBefore + 1);
  });

  it('a RESOLVED event from an ingest.amqp binding (the worker side) updates the card too', async () => {
    await waitFor(async () => (await amqp.checkQueue(queue)).consumerCount === 1, 'ingest consumer', 10_000);
    const fingerprint = `fp-amqp-${run}`;
    await events.publishEvent({ event: event(`fire-amqp-${run}`, [bob.userId], { fingerprint }) });
    const [app] = await sentOf(`fire-amqp-${run}`, 1);
    amqp.publish(
      exchange,
      'svc.down',
      Buffer.from(
        JSON.stringify({
          event_id: `resolve-amqp-${run}`,
          type: 'svc.down',
          status: 'EVENT_STATUS_RESOLVED',
          fingerprint,
          user_ids: [bob.userId],
          summary: 'service back',
        }),
      ),
      { contentType: 'application/json' },
    );
    await waitFor(
      () => (emulator.message(app?.providerMessageId ?? '')?.updates.length ?? 0) === 1,
      'card PATCH from the ingested resolution',
      20_000,
    );
    const card = emulator.message(app?.providerMessageId ?? '')?.content as Card;
    expect(card.header.template).toBe('green');
    expect(noteOf(card)).toContain('Resolved at');
  });

  it('acknowledging one notification of an event acknowledges all of its notifications and PATCHes every card', async () => {
    const eventId = `ack-${run}`;
    await events.publishEvent({ event: event(eventId, [alice.userId, bob.userId]) });
    const sent = (await sentOf(eventId, 3)).filter((n) => n.channel === 'feishu-app');
    expect(sent).toHaveLength(2);
    const [first, second] = sent as [Notification, Notification];

    const acked = await notifications.acknowledgeNotification({ id: first.id, by: 'carol' });
    expect(acked.notification?.acknowledgedBy).toBe('carol');
    for (const n of sent) {
      const record = (await notifications.getNotification({ id: n.id })).notification;
      expect(record?.acknowledgedBy).toBe('carol');
      expect(record?.acknowledgedAt).toBeDefined();
    }
    await waitFor(
      () => sent.every((n) => (emulator.message(n.providerMessageId)?.updates.length ?? 0) === 1),
      'both cards PATCHed',
    );
    for (const n of sent)
      expect(noteOf(emulator.message(n.providerMessageId)?.content as Card)).toContain(
        'Acknowledged by carol',
      );

    // The event is acknowledged now: acknowledging the other one changes nothing and PATCHes nothing.
    const repeat = await notifications.acknowledgeNotification({ id: second.id, by: 'dave' });
    expect(repeat.notification?.acknowledgedBy).toBe('carol');
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const n of sent) expect(emulator.message(n.providerMessageId)?.updates).toHaveLength(1);
  });
});

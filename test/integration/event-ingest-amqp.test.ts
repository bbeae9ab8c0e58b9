import { create, toBinary } from '@bufbuild/protobuf';
import { connect, type Channel, type ChannelModel, type GetMessage } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEAD_REASON_HEADER } from '../../src/core/event/ingest-source.js';
import { EventSchema, Severity } from '../../src/gen/notify/v1/event_service_pb.js';
import { enableMock, eventClient } from '../helpers/event-clients.js';
import { closeConnectionsNamed } from '../helpers/rabbitmq-admin.js';
import { TEST_AMQP_URL, uniqueSuffix } from '../helpers/test-env.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { sleep, waitFor } from '../helpers/wait-for.js';

const run = uniqueSuffix();
const exchange = `t${run}.domain-events`;
const queue = `t${run}.ingest`;
const user = `ingest-user-${run}`;
const connectionName = `ngw-ingest-${run}`;

let harness: TestGateway;
let model: ChannelModel;
let channel: Channel;

beforeAll(async () => {
  model = await connect(TEST_AMQP_URL);
  channel = await model.createChannel();
  // The caller's exchange, as their service already declares it.
  await channel.assertExchange(exchange, 'topic', { durable: false, autoDelete: false });
  harness = await startTestGateway({
    broker: { connectionName },
    ingest: { amqp: [{ exchange, bindingKeys: ['anomaly.#', 'active_schedule.triggered'], queue }] },
  });
  await enableMock(harness.baseUrl, [user]);
  await waitFor(async () => (await channel.checkQueue(queue)).consumerCount === 1, 'ingest consumer', 10_000);
});

afterAll(async () => {
  await harness?.stop();
  await channel?.deleteQueue(queue).catch(() => undefined);
  await channel?.deleteExchange(exchange).catch(() => undefined);
  await model?.close();
});

function publishJson(routingKey: string, body: unknown): void {
  channel.publish(exchange, routingKey, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), {
    contentType: 'application/json',
    persistent: true,
  });
}

const deliveredFor = (eventId: string) => harness.mock().deliveries.filter((d) => d.eventId === eventId);

async function drainDead(): Promise<GetMessage[]> {
  const deadQueue = `${harness.config.broker.namePrefix}notify.dead`;
  const messages: GetMessage[] = [];
  for (;;) {
    const message = await channel.get(deadQueue, { noAck: true });
    if (message === false) return messages;
    messages.push(message);
  }
}

describe('ingest.amqp: events from the caller’s exchange', () => {
  it('delivers an event published as proto JSON with a domain routing key', async () => {
    const eventId = `amqp-${run}-1`;
    publishJson('anomaly.task.overdue', {
      event_id: eventId,
      type: 'anomaly.task.overdue',
      severity: 'SEVERITY_CRITICAL',
      user_ids: [user],
      summary: 'Task 7 is overdue',
    });
    await waitFor(() => deliveredFor(eventId).length === 1, 'delivery of the JSON event', 20_000);
    expect(deliveredFor(eventId)[0]).toMatchObject({
      text: 'Task 7 is overdue',
      severity: 'critical',
      userId: user,
    });
    const trace = await eventClient(harness.baseUrl).getEvent({ eventId });
    expect(trace.decisions).toEqual([
      expect.objectContaining({ outcome: 'notified', userId: user, channel: 'mock' }),
    ]);
  });

  it('delivers a binary protobuf event by content type', async () => {
    const eventId = `amqp-${run}-proto`;
    const body = toBinary(
      EventSchema,
      create(EventSchema, {
        eventId,
        type: 'active_schedule.triggered',
        severity: Severity.INFO,
        userIds: [user],
        summary: 'Standup in 5 min',
      }),
    );
    channel.publish(exchange, 'active_schedule.triggered', Buffer.from(body), {
      contentType: 'application/protobuf',
    });
    await waitFor(() => deliveredFor(eventId).length === 1, 'delivery of the protobuf event', 20_000);
  });

  it('dead-letters malformed messages once with the reason, counts them, and keeps consuming', async () => {
    await drainDead();
    publishJson('anomaly.garbage', '{not json');
    publishJson('anomaly.no-type', { event_id: `amqp-${run}-notype`, user_ids: [user] });
    const after = `amqp-${run}-after`;
    publishJson('anomaly.task.overdue', {
      event_id: after,
      type: 'anomaly.task.overdue',
      user_ids: [user],
      summary: 'still here',
    });
    await waitFor(() => deliveredFor(after).length === 1, 'the valid event after the bad ones', 20_000);
    // Long enough for a redelivery loop to show (redeliveryDelayMs is 1 s).
    await sleep(2500);
    const dead = await drainDead();
    expect(dead).toHaveLength(2);
    const reasons = dead.map((message) => String(message.properties.headers?.[DEAD_REASON_HEADER]));
    expect(reasons.sort()).toEqual(['field_required', 'invalid_event_body']);
    // The original body and where it came from ride along for an operator to inspect.
    const garbage = dead.find((m) => m.properties.headers?.[DEAD_REASON_HEADER] === 'invalid_event_body');
    expect(garbage?.content.toString()).toBe('{not json');
    expect(garbage?.properties.headers?.['x-notify-original-routing-key']).toBe('anomaly.garbage');
    expect((await channel.checkQueue(queue)).messageCount).toBe(0);
    const metrics = await (await fetch(`${harness.baseUrl}/metrics`)).text();
    expect(metrics).toContain(
      'notify_ingest_dead_lettered_total{source="amqp",reason="invalid_event_body"} 1',
    );
    expect(metrics).toContain('notify_ingest_dead_lettered_total{source="amqp",reason="field_required"} 1');
  });

  it('binds again after the broker drops the connection', async () => {
    expect(await closeConnectionsNamed(connectionName)).toBeGreaterThan(0);
    await waitFor(
      async () => (await channel.checkQueue(queue)).consumerCount === 1,
      'ingest consumer back',
      30_000,
    );
    const eventId = `amqp-${run}-reconnected`;
    publishJson('anomaly.task.overdue', {
      event_id: eventId,
      type: 'anomaly.task.overdue',
      user_ids: [user],
      summary: 'back',
    });
    await waitFor(() => deliveredFor(eventId).length === 1, 'delivery after reconnect', 30_000);
  });
});

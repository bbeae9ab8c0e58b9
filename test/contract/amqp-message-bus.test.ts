import { connect } from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AmqpMessageBus,
  deleteTopology,
  type AmqpMessageBusOptions,
} from '../../src/adapters/amqp-bus/index.js';
import type { BusEvent } from '../../src/core/delivery/message-bus.js';
import { clearPolicy, closeConnectionsNamed, setQueuePolicy } from '../helpers/rabbitmq-admin.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { TEST_AMQP_URL, uniqueSuffix } from '../helpers/test-env.js';
import { gate, sleep, waitFor } from '../helpers/wait-for.js';
import {
  deliveryEvent,
  describeMessageBusContract,
  recordInto,
  type MessageBusFixture,
} from './message-bus-contract.js';

const fileSuffix = uniqueSuffix();
let fixtures = 0;

interface AmqpFixture extends MessageBusFixture {
  readonly bus: AmqpMessageBus;
  readonly prefix: string;
  readonly connectionName: string;
  readonly logs: string[];
}

/** A started bus on its own prefixed topology (one per test), plus a raw channel beside it. */
async function amqpFixture(overrides: Partial<AmqpMessageBusOptions> = {}): Promise<AmqpFixture> {
  fixtures += 1;
  const prefix = overrides.namePrefix ?? `ngw-test-${fileSuffix}-${fixtures}.`;
  const connectionName = `ngw-test-${fileSuffix}-${fixtures}`;
  const logs: string[] = [];
  const log = (fields: Record<string, unknown>, message: string) =>
    void logs.push(`${message} ${JSON.stringify(fields)}`);
  const bus = new AmqpMessageBus({
    url: TEST_AMQP_URL,
    namePrefix: prefix,
    connectionName,
    publishTimeoutMs: 2000,
    reconnectDelayMs: { initial: 100, max: 1000 },
    // Short, so redelivery tests stay quick; the pause itself has its own test below.
    redeliveryDelayMs: 20,
    logger: { info: log, warn: log, error: log },
    ...overrides,
  });
  await bus.start();
  const rawConnection = await connect(TEST_AMQP_URL);
  const raw = await rawConnection.createConfirmChannel();
  return {
    bus,
    prefix,
    connectionName,
    logs,
    raw: {
      async publishRawToDeliver(body) {
        raw.publish(`${prefix}notify`, 'notification.mock.requested', body, { persistent: true });
        await raw.waitForConfirms();
      },
      async deadLetterCount() {
        return (await raw.checkQueue(`${prefix}notify.dead`)).messageCount;
      },
    },
    async cleanup() {
      await bus.close();
      await rawConnection.close();
      await deleteTopology(TEST_AMQP_URL, prefix, overrides.retryTiersMs);
    },
  };
}

describeMessageBusContract('AmqpMessageBus (RabbitMQ)', () => amqpFixture());

describe('AmqpMessageBus (RabbitMQ specifics)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function fixture(overrides: Partial<AmqpMessageBusOptions> = {}): Promise<AmqpFixture> {
    const created = await amqpFixture(overrides);
    cleanups.push(() => created.cleanup());
    return created;
  }

  it('reconnects after the broker closes the connection, redelivering in-flight events', async () => {
    const { bus, connectionName } = await fixture();
    const calls = new Map<string, number>();
    const release = gate();
    await bus.subscribe(
      'deliver',
      async (event) => {
        const id = JSON.stringify(event);
        calls.set(id, (calls.get(id) ?? 0) + 1);
        if (calls.get(id) === 1) await release.promise;
      },
      { prefetch: 4 },
    );
    const inFlight = deliveryEvent();
    await bus.publish(inFlight);
    await waitFor(() => calls.size === 1, 'the in-flight handler');
    expect(await closeConnectionsNamed(connectionName)).toBe(1);
    await waitFor(
      () =>
        bus.publish(deliveryEvent('after')).then(
          () => true,
          () => false,
        ),
      'publish after reconnect',
    );
    // Its first delivery's channel died unacked, so the broker hands it over again.
    await waitFor(() => calls.get(JSON.stringify(inFlight)) === 2, 'redelivery of the in-flight event');
    release.open();
    const afterwards = deliveryEvent();
    await bus.publish(afterwards);
    await waitFor(() => calls.has(JSON.stringify(afterwards)), 'an event published after reconnect');
    await bus.ping();
  });

  it('re-declares and re-subscribes when the broker cancels a consumer (queue deleted)', async () => {
    const { bus, prefix, logs } = await fixture();
    const received: BusEvent[] = [];
    await bus.subscribe('deliver', recordInto(received), { prefetch: 4 });
    const admin = await connect(TEST_AMQP_URL);
    try {
      const channel = await admin.createChannel();
      await channel.deleteQueue(`${prefix}notify.deliver`);
    } finally {
      await admin.close();
    }
    await waitFor(
      () => logs.some((line) => line.startsWith('consumer cancelled by broker')),
      'the cancel log',
    );
    const event = deliveryEvent();
    await waitFor(
      () =>
        bus.publish(event).then(
          () => true,
          () => false,
        ),
      'publish to the re-declared queue',
    );
    await waitFor(
      () => received.some((e) => JSON.stringify(e) === JSON.stringify(event)),
      're-subscribed delivery',
    );
  });

  it('rejects a publish the broker never confirms, and one made while the broker is down', async () => {
    const proxy = await startTcpProxy('127.0.0.1', 5672);
    cleanups.push(() => proxy.close());
    const url = TEST_AMQP_URL.replace(':5672', `:${proxy.port}`);
    const { bus } = await fixture({ url, publishTimeoutMs: 500 });
    const received: BusEvent[] = [];
    await bus.subscribe('deliver', recordInto(received), { prefetch: 4 });

    proxy.freeze();
    const frozenAt = Date.now();
    await expect(bus.publish(deliveryEvent())).rejects.toThrow(/not confirmed within 500 ms/);
    expect(Date.now() - frozenAt).toBeLessThan(1500);
    await expect(bus.ping()).rejects.toThrow();

    await proxy.down();
    await waitFor(
      () =>
        bus.ping().then(
          () => false,
          () => true,
        ),
      'the bus to notice',
    );
    const downAt = Date.now();
    await expect(bus.publish(deliveryEvent())).rejects.toThrow(/not connected/);
    expect(Date.now() - downAt).toBeLessThan(100);

    proxy.thaw();
    await proxy.up();
    const event = deliveryEvent();
    await waitFor(
      () =>
        bus.publish(event).then(
          () => true,
          () => false,
        ),
      'publish after the broker is back',
    );
    await waitFor(
      () => received.some((e) => JSON.stringify(e) === JSON.stringify(event)),
      'delivery after recovery',
    );
  });

  it('rejects a publish the broker nacks (queue full with reject-publish)', async () => {
    const { bus, prefix } = await fixture();
    const policy = `ngw-test-full-${fileSuffix}`;
    await setQueuePolicy(policy, `^${prefix.replaceAll('.', '\\.')}notify\\.deliver$`, { 'max-length': 0 });
    cleanups.push(() => clearPolicy(policy));
    await waitFor(
      () =>
        bus.publish(deliveryEvent()).then(
          () => false,
          () => true,
        ),
      'a nacked publish',
      5000,
    );
    await expect(bus.publish(deliveryEvent())).rejects.toThrow(/not confirmed: message nacked/);
  });

  it('dead-letters an event whose handler keeps failing once the delivery limit is used up', async () => {
    const { bus, raw } = await fixture({ deliveryLimit: 2 });
    let calls = 0;
    await bus.subscribe(
      'deliver',
      async () => {
        await sleep(1);
        calls += 1;
        throw new Error('always failing');
      },
      { prefetch: 1 },
    );
    await bus.publish(deliveryEvent());
    await waitFor(async () => (await raw?.deadLetterCount()) === 1, 'the dead letter');
    await sleep(300);
    // x-delivery-limit counts returns: the first delivery plus `deliveryLimit` redeliveries.
    expect(calls).toBe(3);
    expect(await raw?.deadLetterCount()).toBe(1);
  });

  it('bounds notify.dead: beyond deadLetterMaxLength the oldest are dropped, and deadLetterDepth reports it', async () => {
    const { bus, prefix } = await fixture({ deadLetterLimits: { maxLength: 3, ttlMs: 60_000 } });
    const connection = await connect(TEST_AMQP_URL);
    try {
      const channel = await connection.createConfirmChannel();
      for (let i = 0; i < 5; i++) channel.sendToQueue(`${prefix}notify.dead`, Buffer.from(`dead ${i}`));
      await channel.waitForConfirms();
      expect(await bus.deadLetterDepth()).toBe(3);
      const head = await channel.get(`${prefix}notify.dead`, { noAck: true });
      expect(head && head.content.toString()).toBe('dead 2');
    } finally {
      await connection.close();
    }
  });

  it('keeps working on a notify.dead declared without bounds by an older version, naming the policy that bounds it', async () => {
    const prefix = `ngw-test-${fileSuffix}-legacy.`;
    const connection = await connect(TEST_AMQP_URL);
    const channel = await connection.createConfirmChannel();
    // What the previous version declared: no arguments. Redeclaring it with bounds is PRECONDITION_FAILED.
    await channel.assertQueue(`${prefix}notify.dead`, { durable: true });
    channel.sendToQueue(`${prefix}notify.dead`, Buffer.from('kept'), { persistent: true });
    await channel.waitForConfirms();
    await connection.close();
    const { bus, logs } = await fixture({ namePrefix: prefix });
    await bus.publish(deliveryEvent());
    expect(await bus.deadLetterDepth()).toBe(1);
    expect(logs.join('\n')).toContain(
      `rabbitmqctl set_policy notify-dead '^ngw-test-${fileSuffix}-legacy\\.notify\\.dead$'`,
    );
  });

  it('holds a failed event for redeliveryDelayMs before requeueing it; cancel cuts the pause short', async () => {
    const { bus } = await fixture({ redeliveryDelayMs: 600 });
    const arrivals: number[] = [];
    await bus.subscribe(
      'deliver',
      () => {
        arrivals.push(Date.now());
        return arrivals.length === 1 ? Promise.reject(new Error('database unreachable')) : Promise.resolve();
      },
      { prefetch: 1 },
    );
    await bus.publish(deliveryEvent());
    await waitFor(() => arrivals.length === 2, 'the redelivery');
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(550);

    const held = await fixture({ redeliveryDelayMs: 60_000 });
    let failed = false;
    const subscription = await held.bus.subscribe(
      'deliver',
      () => {
        failed = true;
        return Promise.reject(new Error('database unreachable'));
      },
      { prefetch: 1 },
    );
    await held.bus.publish(deliveryEvent());
    await waitFor(() => failed, 'the failing delivery');
    const cancelling = Date.now();
    await subscription.cancel();
    expect(Date.now() - cancelling).toBeLessThan(5000);
  });

  it('rejects a publish no queue is bound for instead of dropping it', async () => {
    const { bus } = await fixture();
    // `*` matches one word: a channel id with a dot has no binding.
    await expect(bus.publish(deliveryEvent('has.dot'))).rejects.toThrow(/unroutable/);
    await bus.publish(deliveryEvent('fine'));
  });

  it('sends a delay below the smallest tier through the smallest tier', async () => {
    const { bus } = await fixture({ retryTiersMs: [300, 1000] });
    let arrivedAfter = -1;
    await bus.subscribe(
      'deliver',
      () => {
        arrivedAfter = Date.now() - startedAt;
        return Promise.resolve();
      },
      { prefetch: 1 },
    );
    const startedAt = Date.now();
    await bus.publish(deliveryEvent(), { delayMs: 10 });
    await waitFor(() => arrivedAfter >= 0, 'the delayed event');
    expect(arrivedAfter).toBeGreaterThanOrEqual(280);
    expect(arrivedAfter).toBeLessThan(1000);
  });

  it('start() rejects when the broker is unreachable; deleteTopology refuses an empty prefix', async () => {
    const bus = new AmqpMessageBus({ url: 'amqp://guest:guest@127.0.0.1:1', startRetries: 1 });
    await expect(bus.start()).rejects.toThrow();
    await expect(bus.publish(deliveryEvent())).rejects.toThrow(/not connected/);
    await bus.close();
    await expect(deleteTopology(TEST_AMQP_URL, '')).rejects.toThrow(/non-empty/);
  });
});

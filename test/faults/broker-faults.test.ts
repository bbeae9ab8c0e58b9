import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startCountingSink, type CountingSink } from '../helpers/counting-sink.js';
import { closeConnectionsNamed } from '../helpers/rabbitmq-admin.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { TEST_AMQP_URL } from '../helpers/test-env.js';
import { sleep, waitFor } from '../helpers/wait-for.js';
import { driveTriggers, expectAccounted, settleAndAccount } from './helpers/accounting.js';
import { deadLetterCount, otherBrokerUsers, publishRaw, stopBrokerFor } from './helpers/broker-control.js';
import { startFaultStack, type FaultStack } from './helpers/fault-stack.js';

let sink: CountingSink | undefined;
let stack: FaultStack | undefined;

afterEach(async () => {
  await stack?.stop();
  await sink?.close();
  stack = sink = undefined;
});

/** A stack whose mock channel posts to a counting sink that counts every POST (no dedupe). */
async function sinkStack(env?: Record<string, string>): Promise<FaultStack> {
  sink = await startCountingSink();
  return startFaultStack({
    channels: [{ id: 'mock', plugin: 'mock', config: { sinkUrl: sink.url, idempotent: false } }],
    env: () => env ?? {},
  });
}

/** Drives 150 triggers over ~30 s across a broker outage made by `outage`, then accounts. */
async function acrossBrokerOutage(
  scenario: string,
  outage: (whileDown: () => Promise<void>) => Promise<void>,
  env?: Record<string, string>,
): Promise<void> {
  const current = (stack = await sinkStack(env));
  const driving = driveTriggers(current.client, {
    count: 150,
    channel: 'mock',
    intervalMs: 200,
    concurrency: 1,
  });
  await waitFor(() => sink!.received.length >= 10, 'deliveries under way', 20_000);
  let readyWhileDown = 0;
  await outage(async () => {
    await sleep(3000);
    readyWhileDown = (await fetch(`${current.url}/readyz`)).status;
  });
  const drive = await driving;
  const account = await settleAndAccount({
    scenario,
    databaseUrl: current.database.url,
    drive,
    received: () => sink!.received,
    deadlineMs: 120_000,
  });
  expect(readyWhileDown).toBe(503);
  // Accepted means committed: the outbox relay publishes once the broker is back.
  expect(account.rejected).toBe(0);
  expectAccounted(account);
  expect(account.byStatus).toEqual({ sent: 150 });
}

describe('broker faults', () => {
  it('poison messages (garbage body, unknown notification id) are dead-lettered once, no loop', async () => {
    stack = await sinkStack();
    const driving = driveTriggers(stack.client, { count: 40, channel: 'mock', intervalMs: 20 });
    await publishRaw(stack.namePrefix, 'mock', Buffer.from('{not json'));
    const unknown = { kind: 'notification.requested', notificationId: randomUUID(), channel: 'mock' };
    await publishRaw(stack.namePrefix, 'mock', Buffer.from(JSON.stringify(unknown)));
    const drive = await driving;
    await waitFor(async () => (await deadLetterCount(stack!.namePrefix)) >= 2, 'two dead letters', 15_000);
    const account = await settleAndAccount({
      scenario: '6 poison messages',
      databaseUrl: stack.database.url,
      drive,
      received: () => sink!.received,
      deadlineMs: 30_000,
    });
    await sleep(2000);
    expect(await deadLetterCount(stack.namePrefix)).toBe(2);
    const worker = stack.workers[0]!.output();
    expect(worker.match(/poison message dead-lettered/g)).toHaveLength(2);
    expect(worker).toContain(unknown.notificationId);
    expectAccounted(account);
    expect(account.byStatus).toEqual({ sent: 40 });
  });

  it('the gateway connections closed repeatedly under load: reconnects, nothing lost', async () => {
    stack = await sinkStack();
    // Four rounds, each finding this stack's connections back (reconnected) and closing them again.
    // The load runs until the rounds are done: rabbitmqctl takes 1-3 s a call, so a fixed-length
    // drive would see a varying number of rounds.
    const rounds = 4;
    let roundsDone = 0;
    const driving = driveTriggers(stack.client, {
      count: 200,
      channel: 'mock',
      intervalMs: 40,
      concurrency: 2,
      until: () => roundsDone >= rounds,
    });
    let closed = 0;
    while (roundsDone < rounds) {
      await sleep(1500);
      // Only this stack's connections (its connection_name): others share the broker.
      const closedNow = await closeConnectionsNamed(stack.connectionName);
      closed += closedNow;
      if (closedNow > 0) roundsDone += 1;
    }
    const drive = await driving;
    const account = await settleAndAccount({
      scenario: '3 connections closed',
      databaseUrl: stack.database.url,
      drive,
      received: () => sink!.received,
      deadlineMs: 60_000,
    });
    expect(closed).toBeGreaterThanOrEqual(rounds);
    expect(drive.answers.length).toBeGreaterThanOrEqual(200);
    expect(account.rejected).toBe(0);
    expectAccounted(account);
    expect(account.byStatus).toEqual({ sent: drive.answers.length });
  });

  it('the broker link cut for 20 s (our TCP proxy down): the API keeps accepting, all delivered after', async () => {
    const real = new URL(TEST_AMQP_URL);
    const proxy = await startTcpProxy(real.hostname, Number(real.port || 5672));
    const viaProxy = new URL(TEST_AMQP_URL);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    try {
      await acrossBrokerOutage(
        '2a broker link cut 20 s',
        async (whileDown) => {
          await proxy.down();
          try {
            await whileDown();
            await sleep(17_000);
          } finally {
            await proxy.up();
          }
        },
        { NOTIFY_AMQP_URL: viaProxy.toString() },
      );
    } finally {
      await stack?.stop();
      stack = undefined;
      await proxy.close();
    }
  });

  it('RabbitMQ stopped for 25 s (stop_app/start_app): the API keeps accepting, all delivered after', async () => {
    // stop_app takes the broker from everyone: wait for other benchmarks or test runs to finish.
    let others: string[] = [];
    await waitFor(
      async () => (others = await otherBrokerUsers()).length === 0,
      'other broker users to finish',
      180_000,
    ).catch(() => {
      throw new Error(`not stopping RabbitMQ while others use it:\n${others.join('\n')}`);
    });
    await acrossBrokerOutage('2 RabbitMQ stop_app 25 s', (whileDown) => stopBrokerFor(25_000, whileDown));
  });
});

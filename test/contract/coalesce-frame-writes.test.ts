import { connect, type ChannelModel } from 'amqplib';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { coalesceFrameWrites } from '../../src/adapters/amqp-bus/coalesce-frame-writes.js';
import { TEST_AMQP_URL, uniqueSuffix } from '../helpers/test-env.js';

let model: ChannelModel | undefined;

afterEach(async () => {
  await model?.close().catch(() => {});
  model = undefined;
});

/** Publishes `count` messages in one turn on a real connection; answers socket writes and arrivals. */
async function publishBurst(count: number, coalesce: boolean): Promise<{ writes: number; received: number }> {
  model = await connect(TEST_AMQP_URL);
  if (coalesce) expect(coalesceFrameWrites(model)).toBe(true);
  const socket = (model as unknown as { connection: { stream: Socket } }).connection.stream;
  const channel = await model.createConfirmChannel();
  const { queue } = await channel.assertQueue(`ngw-test-coalesce-${uniqueSuffix()}`, {
    exclusive: true,
  });
  // Count what reaches the kernel: one _write or one _writev per syscall-sized chunk.
  let writes = 0;
  const write = socket._write.bind(socket);
  const writev = socket._writev?.bind(socket);
  socket._write = (...args: Parameters<Socket['_write']>) => ((writes += 1), write(...args));
  if (writev)
    socket._writev = (...args: Parameters<NonNullable<Socket['_writev']>>) => (
      (writes += 1),
      writev(...args)
    );
  for (let i = 0; i < count; i += 1) channel.sendToQueue(queue, Buffer.from(`m${i}`), { persistent: true });
  await channel.waitForConfirms();
  socket._write = write;
  if (writev) socket._writev = writev;
  const { messageCount } = await channel.checkQueue(queue);
  return { writes, received: messageCount };
}

describe('coalesceFrameWrites (real RabbitMQ, pinned amqplib)', () => {
  it('sends the frames of one turn in a few socket writes instead of one each, all arriving', async () => {
    const plain = await publishBurst(50, false);
    await model?.close();
    const coalesced = await publishBurst(50, true);
    expect(plain.received).toBe(50);
    expect(coalesced.received).toBe(50);
    expect(plain.writes).toBeGreaterThanOrEqual(50);
    expect(coalesced.writes).toBeLessThanOrEqual(5);
  });

  it('is idempotent on one connection', async () => {
    model = await connect(TEST_AMQP_URL);
    expect(coalesceFrameWrites(model)).toBe(true);
    expect(coalesceFrameWrites(model)).toBe(true);
    const channel = await model.createChannel();
    await channel.checkExchange('amq.direct');
  });
});

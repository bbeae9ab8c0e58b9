import { describe, expect, it } from 'vitest';
import { MemoryMessageBus } from '../../src/adapters/memory-bus/memory-bus.js';
import { PoisonMessageError, type BusEvent } from '../../src/core/delivery/message-bus.js';
import { sleep, waitFor } from '../helpers/wait-for.js';
import { deliveryEvent, describeMessageBusContract, recordInto } from './message-bus-contract.js';

describeMessageBusContract('MemoryMessageBus', async () => {
  const bus = new MemoryMessageBus({ redeliveryDelayMs: 20 });
  await bus.start();
  return { bus, cleanup: () => bus.close() };
});

describe('MemoryMessageBus specifics', () => {
  it('drops an event to the dead list after its delivery limit', async () => {
    const errors: string[] = [];
    const bus = new MemoryMessageBus({
      deliveryLimit: 3,
      redeliveryDelayMs: 5,
      logger: { warn() {}, error: (_fields, message) => void errors.push(message) },
    });
    await bus.start();
    let calls = 0;
    await bus.subscribe(
      'deliver',
      async () => {
        await sleep(1);
        calls += 1;
        throw new Error('always');
      },
      { prefetch: 1 },
    );
    const event = deliveryEvent();
    await bus.publish(event);
    await waitFor(() => bus.deadEvents().length === 1, 'the dead event');
    expect(calls).toBe(4);
    expect(bus.deadEvents()[0]).toMatchObject({
      queue: 'deliver',
      event,
      deliveries: 4,
      lastError: 'always',
    });
    expect(errors).toEqual(['event dead after delivery limit']);
    await bus.close();
  });

  it('puts a PoisonMessageError event on the dead list at once', async () => {
    const bus = new MemoryMessageBus({ redeliveryDelayMs: 5 });
    await bus.start();
    await bus.subscribe('deliver', () => Promise.reject(new PoisonMessageError('gone')), { prefetch: 1 });
    const event = deliveryEvent();
    await bus.publish(event);
    await waitFor(() => bus.deadEvents().length === 1, 'the dead event');
    expect(bus.deadEvents()[0]).toMatchObject({ event, deliveries: 1, lastError: 'gone' });
    await bus.close();
  });

  it('rejects publish before start and keeps events queued until someone subscribes', async () => {
    const bus = new MemoryMessageBus();
    await expect(bus.publish(deliveryEvent())).rejects.toThrow(/not started/);
    await bus.start();
    const event = deliveryEvent();
    await bus.publish(event);
    const received: BusEvent[] = [];
    await bus.subscribe('deliver', recordInto(received), { prefetch: 1 });
    await waitFor(() => received.length === 1, 'the queued event');
    expect(received).toEqual([event]);
    await bus.close();
  });
});

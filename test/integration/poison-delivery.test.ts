import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryMessageBus } from '../../src/adapters/memory-bus/memory-bus.js';
import { PoisonMessageError } from '../../src/core/delivery/message-bus.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { sleep, waitFor } from '../helpers/wait-for.js';

let harness: TestGateway;

beforeAll(async () => {
  // The in-process bus exposes its dead list; the worker and store are the real ones on MariaDB.
  harness = await startTestGateway({ broker: { url: 'memory' } });
});
afterAll(() => harness?.stop());

describe('a delivery for a notification id the database does not have', () => {
  it('is poison: the worker throws PoisonMessageError and the bus dead-letters it once', async () => {
    const event = { kind: 'notification.requested', notificationId: randomUUID(), channel: 'mock' } as const;
    await expect(harness.gateway.worker!.handle(event)).rejects.toBeInstanceOf(PoisonMessageError);
    const bus = harness.gateway.bus as MemoryMessageBus;
    await bus.publish(event);
    await waitFor(() => bus.deadEvents().length === 1, 'the dead event');
    await sleep(300);
    expect(bus.deadEvents()).toEqual([
      expect.objectContaining({ event, deliveries: 1, lastError: `no notification ${event.notificationId}` }),
    ]);
    expect(harness.mock().calls).toHaveLength(0);
  });
});

import { describe, expect, it } from 'vitest';
import type { BusEvent, MessageBus } from '../../../../src/core/delivery/message-bus.js';
import type { ChannelRegistry } from '../../../../src/core/channels/channel-registry.js';
import { parseGatewayConfig } from '../../../../src/core/config/load-config.js';
import { TriggerService } from '../../../../src/core/delivery/trigger-service.js';
import type { NewNotification } from '../../../../src/core/notification/notification-record.js';
import { createLogger } from '../../../../src/core/shared/logger.js';
import type { NotificationStore } from '../../../../src/core/notification/notification-store.js';
import { emptySettingsSource } from '../../../../src/core/user-config/channel-settings-source.js';
import { storedRecord } from '../../../helpers/notification-fixtures.js';
import { gate } from '../../../helpers/wait-for.js';

/** Whether `promise` has settled after the current macrotask queue ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

/**
 * A TriggerService over a store that commits at once and a bus whose confirms are held until the
 * test opens `confirms` (or fail, with `failPublish`): the broker is the boundary under test here.
 */
function harness(options: { maxInFlightTriggers?: number; failPublish?: boolean } = {}) {
  const confirms = gate();
  const published: BusEvent[] = [];
  const bus = {
    publish: async (event: BusEvent) => {
      await confirms.promise;
      if (options.failPublish) throw new Error('broker connection closed');
      published.push(event);
    },
  } as unknown as MessageBus;
  const store = {
    insertOrFind: (record: NewNotification, now: Date) =>
      Promise.resolve({ deduplicated: false, record: storedRecord(record, now) }),
  } as unknown as NotificationStore;
  const channels: ChannelRegistry = {
    get: (id: string) =>
      id === 'mock'
        ? {
            id,
            pluginId: 'mock',
            settings: [],
            provider: { idempotent: true, send: () => Promise.resolve({ outcome: 'success' }) },
          }
        : undefined,
    list: () => [],
    close: () => Promise.resolve(),
  };
  const triggers = new TriggerService({
    store,
    bus,
    channels,
    settings: emptySettingsSource,
    config: parseGatewayConfig({ server: { maxInFlightTriggers: options.maxInFlightTriggers ?? 256 } }),
    clock: { now: () => new Date() },
    logger: createLogger('silent'),
  });
  let n = 0;
  const trigger = () =>
    triggers.trigger({
      userId: 'u1',
      triggerId: `t${(n += 1)}`,
      triggerType: '',
      previewId: '',
      target: undefined,
      message: { text: 'hello', template: '', variables: {} },
      channels: ['mock'],
      dedupeKey: '',
      critical: false,
      traceId: '',
      metadata: {},
    });
  return { triggers, trigger, confirms, published };
}

describe('TriggerService publishing behind the answer', () => {
  it('answers at the commit, before the broker confirms; drain waits for the confirm', async () => {
    const { triggers, trigger, confirms, published } = harness();
    const [outcome] = await trigger();
    expect(outcome?.record.status).toBe('pending');
    expect(published).toHaveLength(0);

    const drained = triggers.drain();
    expect(await settled(drained)).toBe(false);
    confirms.open();
    await drained;
    expect(published).toEqual([
      { kind: 'notification.requested', notificationId: outcome?.record.id, channel: 'mock' },
    ]);
  });

  it('makes a trigger wait for its own confirm once maxInFlightTriggers publishes are outstanding', async () => {
    const { triggers, trigger, confirms, published } = harness({ maxInFlightTriggers: 2 });
    await trigger();
    await trigger();
    const third = trigger();
    expect(await settled(third)).toBe(false);
    confirms.open();
    await third;
    await triggers.drain();
    expect(published).toHaveLength(3);
  });

  it('still answers OK when the publish fails, leaving the record to the relay', async () => {
    const { triggers, trigger, confirms, published } = harness({ failPublish: true });
    const [outcome] = await trigger();
    expect(outcome?.deduplicated).toBe(false);
    confirms.open();
    await triggers.drain();
    expect(published).toHaveLength(0);
  });
});

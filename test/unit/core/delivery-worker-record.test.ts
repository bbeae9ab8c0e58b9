import { describe, expect, it } from 'vitest';
import { MemoryMessageBus } from '../../../src/core/bus/memory/memory-bus.js';
import { parseGatewayConfig } from '../../../src/core/config/load-config.js';
import { DeliveryWorker } from '../../../src/core/delivery/delivery-worker.js';
import type { NotificationRecord } from '../../../src/core/notification/notification-record.js';
import type { ChannelRegistry } from '../../../src/core/channels/channel-registry.js';
import { createLogger } from '../../../src/core/shared/logger.js';
import type { NotificationStore } from '../../../src/core/store/notification-store.js';
import { emptySettingsSource } from '../../../src/core/user-config/channel-settings-source.js';
import { newNotification } from '../../helpers/notification-fixtures.js';

describe('DeliveryWorker recording an outcome', () => {
  it('keeps retrying while the database refuses, so the provider is called once and the result is kept', async () => {
    const now = new Date();
    const pending = {
      ...newNotification({ nextAttemptAt: now }),
      attemptCount: 0,
      callCount: 0,
      version: 1,
      createdAt: now,
      updatedAt: now,
      leaseOwner: null,
      leaseExpiresAt: null,
      providerMessageId: null,
      sentAt: null,
    } as NotificationRecord;
    let finishCalls = 0;
    let sends = 0;
    const store = {
      findById: () => Promise.resolve(pending),
      claim: () => Promise.resolve({ ...pending, status: 'sending', version: 2, callCount: 1 }),
      finish: (_id: string, _version: number, update: { status: NotificationRecord['status'] }) => {
        finishCalls += 1;
        if (finishCalls <= 2)
          return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
        return Promise.resolve({ ...pending, status: update.status, version: 3 });
      },
    } as unknown as NotificationStore;
    const channels: ChannelRegistry = {
      get: () => ({
        id: pending.channel,
        pluginId: 'fake',
        settings: [],
        provider: { idempotent: false, send: () => ((sends += 1), Promise.resolve({ outcome: 'success' })) },
      }),
      list: () => [],
      close: () => Promise.resolve(),
    };
    const bus = new MemoryMessageBus();
    await bus.start();
    const worker = new DeliveryWorker({
      store,
      bus,
      channels,
      settings: emptySettingsSource,
      config: parseGatewayConfig({}),
      clock: { now: () => new Date() },
      logger: createLogger('silent'),
      workerId: 'test',
    });
    await worker.handle({
      kind: 'notification.requested',
      notificationId: pending.id,
      channel: pending.channel,
    });
    expect(sends).toBe(1);
    expect(finishCalls).toBe(3);
    await bus.close();
  });
});

import { describe, expect, it } from 'vitest';
import { MemoryMessageBus } from '../../../../src/adapters/memory-bus/memory-bus.js';
import { parseGatewayConfig } from '../../../../src/core/config/load-config.js';
import { DeliveryWorker } from '../../../../src/core/delivery/delivery-worker.js';
import type { NotificationRecord } from '../../../../src/core/notification/notification-record.js';
import type { ChannelRegistry } from '../../../../src/core/channels/channel-registry.js';
import type { Clock } from '../../../../src/core/shared/clock.js';
import { createLogger } from '../../../../src/core/shared/logger.js';
import type {
  ClaimRequest,
  NotificationStore,
} from '../../../../src/core/notification/notification-store.js';
import {
  emptySettingsSource,
  type ChannelSettingsSource,
} from '../../../../src/core/user-config/channel-settings-source.js';
import { newNotification, storedRecord } from '../../../helpers/notification-fixtures.js';
import { gate } from '../../../helpers/wait-for.js';

/** A pending record due at `nextAttemptAt`, as the store would return it. */
function pendingRecord(nextAttemptAt: Date): NotificationRecord {
  return storedRecord(newNotification({ nextAttemptAt }), nextAttemptAt);
}

/** Like the real claim: only a due row can be claimed, and it comes back `sending`, one version up. */
function claimWhenDue(pending: NotificationRecord): NotificationStore['claim'] {
  return (_id, request: ClaimRequest) =>
    Promise.resolve(
      request.now >= pending.nextAttemptAt
        ? { ...pending, status: 'sending', version: 2, callCount: 1 }
        : null,
    );
}

/** A finish that always takes effect, moving the claimed row to the status it was given. */
function finishAs(pending: NotificationRecord): NotificationStore['finish'] {
  return (_id, _version, update) => Promise.resolve({ ...pending, status: update.status, version: 3 });
}

/** Runs one delivery event for `record` through a worker over `store`; answers how often the provider was called. */
async function deliverOnce(
  record: NotificationRecord,
  store: Partial<NotificationStore>,
  settings: ChannelSettingsSource = emptySettingsSource,
  clock: Clock = { now: () => new Date() },
): Promise<number> {
  let sends = 0;
  const channels: ChannelRegistry = {
    get: () => ({
      id: record.channel,
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
    store: { findById: () => Promise.resolve(record), ...store } as NotificationStore,
    bus,
    channels,
    settings,
    config: parseGatewayConfig({}),
    clock,
    logger: createLogger('silent'),
    workerId: 'test',
  });
  await worker.handle({ kind: 'notification.requested', notificationId: record.id, channel: record.channel });
  await bus.close();
  return sends;
}

describe('DeliveryWorker', () => {
  it('keeps retrying while the database refuses, so the provider is called once and the result is kept', async () => {
    const pending = pendingRecord(new Date());
    let finishCalls = 0;
    const sends = await deliverOnce(pending, {
      claim: () => Promise.resolve({ ...pending, status: 'sending', version: 2, callCount: 1 }),
      finish: (_id: string, _version: number, update: { status: NotificationRecord['status'] }) => {
        finishCalls += 1;
        if (finishCalls <= 2)
          return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
        return Promise.resolve({ ...pending, status: update.status, version: 3 });
      },
    });
    expect(sends).toBe(1);
    expect(finishCalls).toBe(3);
  });

  it('sends a record that arrives a few ms before it is due, instead of missing the claim', async () => {
    const pending = pendingRecord(new Date(Date.now() + 20));
    const sends = await deliverOnce(pending, {
      claim: claimWhenDue(pending),
      finish: finishAs(pending),
    });
    expect(sends).toBe(1);
  });

  it('reads the settings alongside the claim, and again when that read failed but the claim won', async () => {
    const pending = pendingRecord(new Date());
    const settingsAsked = gate();
    let reads = 0;
    const sends = await deliverOnce(
      pending,
      {
        // Answers only once the settings read has been issued: a worker reading after the claim hangs.
        claim: async () => {
          await settingsAsked.promise;
          return { ...pending, status: 'sending', version: 2, callCount: 1 };
        },
        finish: finishAs(pending),
      },
      {
        ...emptySettingsSource,
        get: () => {
          reads += 1;
          settingsAsked.open();
          if (reads === 1)
            return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
          return Promise.resolve(null);
        },
      },
    );
    expect(sends).toBe(1);
    expect(reads).toBe(2);
  });

  it('sleeps again when its timer fired early by the clock, so the claim still finds the row due', async () => {
    const due = new Date(Date.now() + 20);
    const pending = pendingRecord(due);
    // The clock at arrival (20 ms early), then after the first sleep still 3 ms early, as a timer
    // started from the event loop's cached time can be; then due.
    const readings = [-20, -3];
    const clock: Clock = { now: () => new Date(due.getTime() + (readings.shift() ?? 0)) };
    const sends = await deliverOnce(
      pending,
      {
        claim: claimWhenDue(pending),
        finish: finishAs(pending),
      },
      emptySettingsSource,
      clock,
    );
    expect(sends).toBe(1);
  });
});

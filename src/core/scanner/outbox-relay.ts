import type { MessageBus } from '../delivery/message-bus.js';
import { publishOrLeaveToScanner } from '../delivery/publish-or-leave-to-scanner.js';
import type { Logger } from '../shared/logger.js';
import type { MaintenanceStore } from './maintenance-store.js';
import type { ScannerDuty } from './scanner-duty.js';

/**
 * Duty 3, the outbox relay: records that are due but untouched for `graceMs` lost their message
 * (publish failed after the commit, broker dropped it); republish `notification.requested`. A
 * duplicate is harmless: the worker's claim lets exactly one through.
 */
export function createOutboxRelay(
  store: MaintenanceStore,
  bus: MessageBus,
  graceMs: number,
  logger: Logger,
): ScannerDuty {
  return {
    name: 'outbox_relay',
    async runBatch(limit) {
      const records = await store.claimLostMessages(graceMs, limit);
      for (const record of records) {
        // The touch already restarted the grace period: the next period tries again.
        await publishOrLeaveToScanner(
          bus,
          { kind: 'notification.requested', notificationId: record.id, channel: record.channel },
          undefined,
          logger,
          { what: 'relay' },
        );
      }
      if (records.length > 0) logger.info({ count: records.length }, 'relayed lost delivery messages');
      return records.length;
    },
  };
}

import type { MessageBus } from '../delivery/message-bus.js';
import type { ChannelRegistry } from '../channels/channel-registry.js';
import type { Logger } from '../shared/logger.js';
import type { MaintenanceStore } from './maintenance-store.js';
import { decideLeaseRecovery, type UnknownOutcomePolicy } from './lease-recovery-decision.js';
import type { ScannerDuty } from './scanner-duty.js';
import { NO_CHANGES, type ChangeReporter } from '../notification/notification-changes.js';

/**
 * Duty 4, lease recovery: `sending` records whose worker died (lease expired) get an attempt with
 * outcome `unknown` and move to failed-due-now or dead per {@link decideLeaseRecovery}, or, when
 * the worker stored the provider's answer before dying, end as that answer says; retries are
 * published at once. The store's compare-and-set on the claimed version makes a late finish a no-op.
 */
export function createLeaseRecovery(
  store: MaintenanceStore,
  bus: MessageBus,
  channels: ChannelRegistry,
  policy: UnknownOutcomePolicy,
  logger: Logger,
  graceMs = 0,
  changes: ChangeReporter = NO_CHANGES,
): ScannerDuty {
  return {
    name: 'lease_recovery',
    async runBatch(limit) {
      const recovered = await store.recoverExpiredLeases(
        limit,
        (record, recorded) =>
          decideLeaseRecovery(
            record,
            channels.get(record.channel)?.provider.idempotent ?? false,
            policy,
            recorded,
          ),
        graceMs,
      );
      for (const { record, recovery } of recovered) {
        logger.warn(
          {
            notification_id: record.id,
            trace_id: record.traceId,
            status: record.status,
            possible_duplicate: recovery.possibleDuplicate,
            from_recorded_attempt: recovery.fromRecordedAttempt,
          },
          recovery.fromRecordedAttempt
            ? 'recovered a record whose worker died after recording the provider answer'
            : 'recovered a record whose worker lease expired',
        );
        await changes.changed(record);
        if (record.status !== 'failed') continue;
        try {
          await bus.publish({
            kind: 'notification.requested',
            notificationId: record.id,
            channel: record.channel,
          });
        } catch (error) {
          // `failed` and due now: the outbox relay republishes it after its grace period.
          logger.warn({ notification_id: record.id, err: (error as Error).message }, 'retry publish failed');
        }
      }
      return recovered.length;
    },
  };
}

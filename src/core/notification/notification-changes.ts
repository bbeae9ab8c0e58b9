import type { MessageBus } from '../delivery/message-bus.js';
import type { CallbackOutbox } from '../callbacks/callback-outbox.js';
import type { Logger } from '../shared/logger.js';
import type { NotificationRecord } from './notification-record.js';

/** Told about every committed status transition (the record as it stands after it). */
export interface ChangeReporter {
  /** Report the change; never rejects (a failed callback enqueue is logged). */
  changed(record: NotificationRecord, event?: string): Promise<void>;
  /**
   * Report the change; rejects when its callback could not be queued, so a worker can hand its
   * message back and queue the callback on the redelivery instead of losing it.
   */
  settle(record: NotificationRecord, event?: string): Promise<void>;
}

/** Reports nothing (unit tests, tools that move no records). */
export const NO_CHANGES: ChangeReporter = {
  changed: () => Promise.resolve(),
  settle: () => Promise.resolve(),
};

/**
 * Where every status transition is reported once it has committed: watchers in every api process
 * (a broadcast on the bus) and, when the record's trigger named a callback subscribed to the new
 * state, the callbacks' outbox. Neither ever fails the transition.
 */
export class NotificationChanges implements ChangeReporter {
  constructor(
    private readonly deps: {
      readonly bus: MessageBus;
      readonly logger: Logger;
      /** Absent where no callbacks can be due (api-side transitions that reach no callback state). */
      readonly outbox?: CallbackOutbox;
    },
  ) {}

  /** Report `record`'s new state; resolves once its callback (if any) is in the outbox. */
  async changed(record: NotificationRecord, event?: string): Promise<void> {
    try {
      await this.settle(record, event);
    } catch (error) {
      this.deps.logger.warn(
        { notification_id: record.id, callback: record.callback, err: (error as Error).message },
        'status callback could not be queued',
      );
    }
  }

  /** `event`: a lifecycle event (`acknowledged`, …) instead of the record's status. */
  async settle(record: NotificationRecord, event?: string): Promise<void> {
    this.deps.bus.broadcastChange(record);
    const outbox = this.deps.outbox;
    if (outbox?.wants(record, event)) await outbox.enqueue(record, event);
  }
}

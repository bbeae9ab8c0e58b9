import type { CallbackConfig } from '../config/gateway-config.js';
import type { NotificationRecord } from '../notification/notification-record.js';
import type { Clock } from '../shared/clock.js';
import { newId } from '../shared/ids.js';
import type { CallbackStore } from './callback-store.js';

/** The JSON body of a status callback: Standard Webhooks' `{ type, timestamp, data }` shape. */
export function callbackPayload(record: NotificationRecord, eventType: string, now: Date): string {
  const iso = (date: Date | null) => (date ? date.toISOString() : null);
  return JSON.stringify({
    type: `notification.${eventType}`,
    timestamp: now.toISOString(),
    data: {
      id: record.id,
      user_id: record.userId,
      channel: record.channel,
      status: record.status,
      trigger_id: record.triggerId,
      trigger_type: record.triggerType,
      dedupe_key: record.dedupeKey,
      trace_id: record.traceId,
      attempt_count: record.attemptCount,
      last_error_code: record.lastErrorCode,
      last_error_message: record.lastErrorMessage,
      provider_message_id: record.providerMessageId,
      created_at: iso(record.createdAt),
      updated_at: iso(record.updatedAt),
      sent_at: iso(record.sentAt),
    },
  });
}

/**
 * Turns a record's new state into a pending callback delivery when its trigger named a configured
 * callback subscribed to that state. Only an INSERT into the outbox: the POST happens later in the
 * dispatcher, so a slow or dead receiver never holds up a notification.
 */
export class CallbackOutbox {
  private readonly byId: ReadonlyMap<string, CallbackConfig>;

  constructor(
    private readonly deps: {
      readonly store: CallbackStore;
      readonly callbacks: readonly CallbackConfig[];
      readonly clock: Clock;
    },
  ) {
    this.byId = new Map(deps.callbacks.map((callback) => [callback.id, callback]));
  }

  /**
   * True when `event` (default: the record's status; or a lifecycle event such as `acknowledged`)
   * should be reported to the record's callback.
   */
  wants(record: NotificationRecord, event: string = record.status): boolean {
    const callback = record.callback ? this.byId.get(record.callback) : undefined;
    return callback !== undefined && (callback.events as readonly string[]).includes(event);
  }

  /** Enqueue the callback of `event` for `record` (idempotent); false when none is due. */
  async enqueue(record: NotificationRecord, event: string = record.status): Promise<boolean> {
    if (!this.wants(record, event) || !record.callback) return false;
    const now = this.deps.clock.now();
    return this.deps.store.enqueue(
      {
        id: newId(now),
        callbackId: record.callback,
        notificationId: record.id,
        eventType: event,
        payload: callbackPayload(record, event, now),
      },
      now,
    );
  }
}

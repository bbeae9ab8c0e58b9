import type { GatewayConfig } from '../config/gateway-config.js';
import type { EventResolutions } from '../event/event-service.js';
import type { MessageState, SendResult } from '../contract/index.js';
import type { ChannelRegistry } from '../channels/channel-registry.js';
import { buildSendRequest } from '../channels/send-request.js';
import type { NotificationRecord } from '../notification/notification-record.js';
import type { Clock } from '../shared/clock.js';
import { GatewayError, invalidField } from '../shared/gateway-error.js';
import type { Logger } from '../shared/logger.js';
import type { NotificationStore } from '../notification/notification-store.js';
import type { ChannelSettingsSource } from '../user-config/channel-settings-source.js';
import { runLifecycleCall } from './lifecycle-call.js';
import { NO_CHANGES, type ChangeReporter } from '../notification/notification-changes.js';

/** What the lifecycle needs. */
export interface LifecycleDependencies {
  readonly store: NotificationStore;
  readonly channels: ChannelRegistry;
  readonly settings: ChannelSettingsSource;
  readonly config: Pick<GatewayConfig, 'retry' | 'worker'>;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Told about acknowledgements (WatchNotifications, `acknowledged` status callbacks). */
  readonly changes?: ChangeReporter;
}

/** The result of acknowledging: the record now, and whether this call acknowledged it. */
export interface Acknowledgement {
  readonly record: NotificationRecord;
  readonly changed: boolean;
}

const MAX_BY_LENGTH = 191;

/** A RESOLVED event's earlier messages, brought to `resolved` in place by `lifecycle`. */
export function resolutionsOf(lifecycle: MessageLifecycle): EventResolutions {
  return {
    resolved: (notificationIds, resolvedAt) =>
      void lifecycle.updateMessagesOf(notificationIds, { resolvedAt }),
  };
}

/**
 * A sent message's life after delivery: acknowledgement, updates in place (PATCH, or the webhook
 * bot's follow-up) and recall. Updates run in the background, each provider call its own attempt
 * row; `drain()` waits for them at shutdown.
 */
export class MessageLifecycle {
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #shutdown = new AbortController();

  constructor(private readonly deps: LifecycleDependencies) {}

  /**
   * Acknowledge a notification: sets acknowledged_at/_by once (a repeat changes nothing and updates
   * nothing) and starts the update of its message. A notification of an event acknowledges the
   * event: every open notification with the same event_id is acknowledged and updated with it.
   */
  async acknowledge(id: string, by: string): Promise<Acknowledgement> {
    if (!by) throw invalidField('by', 'field_required', 'is required');
    if (by.length > MAX_BY_LENGTH)
      throw invalidField('by', 'field_too_long', `is longer than ${MAX_BY_LENGTH} characters`);
    const record = await this.require(id);
    const now = this.deps.clock.now();
    const ids = record.eventId ? await this.openOfEvent(record.eventId, record.id) : [record.id];
    const changed = await this.deps.store.acknowledge(ids, by, now);
    const current = (await this.deps.store.findById(id)) ?? record;
    const changes = this.deps.changes ?? NO_CHANGES;
    for (const changedId of changed) {
      const acknowledged = changedId === id ? current : await this.deps.store.findById(changedId);
      if (acknowledged) await changes.changed(acknowledged, 'acknowledged');
    }
    // Not awaited: the callback answers within Feishu's 3 s; the update is tracked for shutdown.
    if (changed.length > 0) void this.updateMessagesOf(changed, { acknowledgedBy: by, acknowledgedAt: now });
    return { record: current, changed: changed.length > 0 };
  }

  /**
   * Bring the messages of `notificationIds` to `state` (acknowledged, resolved) in the background:
   * each sent, unrecalled one is PATCHed (app bot) or followed up (webhook bot). Returns at once;
   * the promise it hands back settles when every update has finished (tests, shutdown).
   */
  updateMessagesOf(notificationIds: readonly string[], state: MessageState): Promise<void> {
    const work = Promise.all(notificationIds.map((id) => this.#updateOne(id, state))).then(() => undefined);
    this.#track(work);
    return work;
  }

  /**
   * Recall a sent message within the channel's recall window. The record stays SENT with
   * recalled_at set; a second recall returns the record unchanged.
   */
  async recall(id: string, reason: string): Promise<NotificationRecord> {
    const record = await this.require(id);
    if (record.recalledAt) return record;
    const channel = this.deps.channels.get(record.channel);
    const recall = channel?.provider.recall?.bind(channel.provider);
    if (!channel || !recall) {
      throw new GatewayError(
        'failed_precondition',
        'not_recallable',
        `channel ${record.channel} cannot recall messages`,
      );
    }
    if (record.status !== 'sent' || !record.providerMessageId || !record.sentAt) {
      throw new GatewayError(
        'failed_precondition',
        'not_sent',
        `notification is ${record.status}; only a sent message can be recalled`,
      );
    }
    const windowMs = channel.provider.recallWindowMs ?? Number.POSITIVE_INFINITY;
    const age = this.deps.clock.now().getTime() - record.sentAt.getTime();
    if (age > windowMs) {
      throw new GatewayError(
        'failed_precondition',
        'recall_window_passed',
        `sent ${Math.round(age / 1000)} s ago; channel ${record.channel} recalls within ${Math.round(windowMs / 1000)} s`,
      );
    }
    const setting = await this.deps.settings.get(record.userId, record.channel);
    const messageId = record.providerMessageId;
    const result = await runLifecycleCall(
      'recall',
      record.id,
      (signal) =>
        recall({
          notificationId: record.id,
          providerMessageId: messageId,
          settings: setting?.settings ?? {},
          signal,
        }),
      this.#callDeps(reason),
    );
    if (result.outcome !== 'success') {
      throw new GatewayError(
        'failed_precondition',
        'recall_failed',
        `Feishu refused the recall: ${result.errorCode ?? 'error'}${result.errorMessage ? ` (${result.errorMessage})` : ''}`,
      );
    }
    await this.deps.store.markRecalled(record.id, this.deps.clock.now());
    return (await this.deps.store.findById(id)) ?? record;
  }

  /** Wait for background updates (bounded by `graceMs`), then stop retrying the rest. */
  async drain(graceMs = 5000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.allSettled([...this.#inFlight]), grace]);
    clearTimeout(timer);
    this.#shutdown.abort();
  }

  async #updateOne(id: string, state: MessageState): Promise<SendResult | undefined> {
    const record = await this.deps.store.findById(id);
    if (!record || record.status !== 'sent' || record.recalledAt) return undefined;
    const channel = this.deps.channels.get(record.channel);
    const update = channel?.provider.update?.bind(channel.provider);
    if (!update) return undefined;
    const setting = await this.deps.settings.get(record.userId, record.channel);
    const request = {
      ...buildSendRequest(record, setting?.settings ?? {}, setting?.locale),
      providerMessageId: record.providerMessageId,
      state,
    };
    const result = await runLifecycleCall(
      'update',
      record.id,
      (signal) => update({ ...request, signal }),
      this.#callDeps(),
    );
    if (result.outcome !== 'success' && result.outcome !== 'skipped') {
      this.deps.logger.warn(
        { notification_id: id, error_code: result.errorCode, channel: record.channel },
        'message update failed',
      );
    }
    return result;
  }

  #callDeps(reason?: string) {
    const store = this.deps.store;
    return {
      clock: this.deps.clock,
      retry: this.deps.config.retry,
      signal: this.#shutdown.signal,
      record: (attempt: Parameters<NotificationStore['addAttempt']>[0]) =>
        store.addAttempt(
          reason ? { ...attempt, requestPayload: { reason, call: attempt.requestPayload } } : attempt,
        ),
    };
  }

  #track(work: Promise<unknown>): void {
    const tracked = work.catch((error: unknown) =>
      this.deps.logger.warn({ err: (error as Error).message }, 'message update crashed'),
    );
    this.#inFlight.add(tracked);
    void tracked.finally(() => this.#inFlight.delete(tracked));
  }

  /** `id` and every not yet acknowledged notification of the event, page by page. */
  private async openOfEvent(eventId: string, id: string): Promise<string[]> {
    const ids = new Set([id]);
    let cursor: string | undefined;
    do {
      const page = await this.deps.store.list({ eventId, acknowledged: false, limit: 500, cursor });
      for (const open of page.records) ids.add(open.id);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return [...ids];
  }

  private async require(id: string): Promise<NotificationRecord> {
    if (!id) throw invalidField('id', 'field_required', 'is required');
    const record = await this.deps.store.findById(id);
    if (!record)
      throw new GatewayError('not_found', 'notification_not_found', `notification ${id} does not exist`);
    return record;
  }
}

import type { GatewayConfig } from '../config/gateway-config.js';
import type { MessageBus } from './message-bus.js';
import type { NewNotification, NotificationRecord } from '../notification/notification-record.js';
import type { ChannelRegistry } from '../channels/channel-registry.js';
import type { Clock } from '../shared/clock.js';
import { echo } from '../shared/field-rules.js';
import { GatewayError, invalidField } from '../shared/gateway-error.js';
import { newId } from '../shared/ids.js';
import type { Logger } from '../shared/logger.js';
import type { NotificationStore } from '../notification/notification-store.js';
import type { ChannelSettingsSource, UserChannelSetting } from '../user-config/channel-settings-source.js';
import { quietWindowEnd } from '../user-config/quiet-hours.js';
import { channelPreflight } from '../user-config/channel-preflight.js';
import type { DeliveryObserver } from '../metrics/delivery-observer.js';
import { NO_OBSERVER } from '../metrics/delivery-observer.js';
import { NO_CHANGES, type ChangeReporter } from '../notification/notification-changes.js';
import { withSpan } from '../telemetry/tracing.js';
import { publishOrLeaveToScanner } from './publish-or-leave-to-scanner.js';
import { renderMessage } from './render-message.js';
import { triggerRequestHash, validateTrigger, type TriggerInput } from './trigger-input.js';

/** One notification a trigger produced (or found, when deduplicated). */
export interface TriggerOutcome {
  readonly record: NotificationRecord;
  readonly deduplicated: boolean;
}

/** What the trigger path needs; all injected by the composition root. */
export interface TriggerDependencies {
  readonly store: NotificationStore;
  readonly bus: MessageBus;
  readonly channels: ChannelRegistry;
  readonly settings: ChannelSettingsSource;
  readonly config: GatewayConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly observer?: DeliveryObserver;
  /** Told about each new record (WatchNotifications, status callbacks of skipped records). */
  readonly changes?: ChangeReporter;
}

interface Placement {
  readonly channel: string;
  readonly plugin: string;
  readonly status: 'pending' | 'skipped' | 'scheduled';
  readonly reason: string | null;
  readonly scheduledAt: Date | null;
}

/**
 * A dedupe key names one request: its identical repeat is deduplicated, anything else under it is
 * ALREADY_EXISTS `idempotency_key_reused` rather than a silent answer with the first record (rows
 * older than request_hash have none and count as identical). When a trigger names several channels
 * and only a later one conflicts, the records already created for the earlier ones stay.
 */
function assertSameRequest(stored: NotificationRecord, requestHash: string, explicitKey: boolean): void {
  if (stored.requestHash === '' || stored.requestHash === requestHash) return;
  const field = explicitKey ? 'dedupe_key' : 'trigger_id';
  throw new GatewayError(
    'already_exists',
    'idempotency_key_reused',
    `${field}: ${echo(stored.dedupeKey)} was already used for a different notification to this user; repeat the identical request or use a new key`,
    field,
  );
}

/**
 * Accept a trigger: validate, resolve channels, render, insert one record per channel under the
 * dedupe unique key, then publish the new ones. The commit is what makes a trigger accepted: a
 * failed publish is logged and left to the outbox relay, never reported as an error. So the answer
 * does not wait for the broker's confirm either: the publish finishes behind it.
 */
export class TriggerService {
  private inFlight = 0;
  /** Publishes still waiting for their confirm after their trigger was answered. */
  private readonly publishing = new Set<Promise<void>>();

  constructor(private readonly deps: TriggerDependencies) {}

  /**
   * Accept a trigger. `signal` is the caller's (deadline, disconnect): a caller that already gave
   * up gets nothing inserted, so it cannot retry into a duplicate under a new trigger id.
   */
  async trigger(raw: TriggerInput, signal?: AbortSignal): Promise<TriggerOutcome[]> {
    const observer = this.deps.observer ?? NO_OBSERVER;
    const limit = this.deps.config.server.maxInFlightTriggers;
    if (this.inFlight >= limit) {
      observer.triggered('rejected');
      // Shed load at once instead of queueing past callers' deadlines (BENCHMARKS.md).
      throw new GatewayError(
        'resource_exhausted',
        'overloaded',
        `more than ${limit} triggers in flight; retry with backoff`,
      );
    }
    this.inFlight += 1;
    let outcomes: TriggerOutcome[];
    try {
      outcomes = await this.accept(raw, signal);
    } catch (error) {
      observer.triggered('rejected');
      throw error;
    } finally {
      this.inFlight -= 1;
    }
    for (const { record, deduplicated } of outcomes) {
      observer.triggered(
        deduplicated
          ? 'deduplicated'
          : record.status === 'pending'
            ? 'accepted'
            : record.status === 'scheduled'
              ? 'scheduled'
              : 'skipped',
      );
    }
    return outcomes;
  }

  private async accept(raw: TriggerInput, signal: AbortSignal | undefined): Promise<TriggerOutcome[]> {
    const { config, clock } = this.deps;
    const input = validateTrigger(
      raw,
      this.deps.channels,
      config.delivery.maxTextLength,
      config.delivery.templates,
    );
    if (input.callback && !config.callbacks.some((callback) => callback.id === input.callback)) {
      throw invalidField('callback', 'unknown_callback', `"${input.callback}" is not a configured callback`);
    }
    const now = clock.now();
    const rendered = renderMessage(
      input.message,
      input.triggerType,
      config.delivery.templates,
      {
        target_url: input.target.url,
        target_id: input.target.id,
        target_type: input.target.type,
        user_id: input.userId,
      },
      config.delivery.fallbackText,
    );
    if (rendered.text.length > config.delivery.maxTextLength) {
      // A template grows with its variables: the limit holds for what would be sent, not just message.text.
      throw invalidField(
        'message.variables',
        'text_too_long',
        `the rendered template is ${rendered.text.length} characters, longer than delivery.maxTextLength (${config.delivery.maxTextLength})`,
      );
    }
    const requestHash = triggerRequestHash(input);
    const placements = await this.place(input, now);
    if (signal?.aborted) {
      throw new GatewayError(
        'unavailable',
        'request_abandoned',
        'the caller cancelled or its deadline passed',
      );
    }
    const outcomes: TriggerOutcome[] = [];
    for (const placement of placements) {
      const record: NewNotification = {
        id: newId(now),
        userId: input.userId,
        channel: placement.channel,
        plugin: placement.plugin,
        triggerId: input.triggerId,
        triggerType: input.triggerType,
        previewId: input.previewId,
        targetType: input.target.type,
        targetId: input.target.id,
        targetUrl: input.target.url,
        messageText: rendered.text,
        fallbackUsed: rendered.fallbackUsed,
        traceId: input.traceId,
        dedupeKey: input.dedupeKey,
        critical: input.critical,
        metadata: input.metadata,
        requestHash,
        status: placement.status,
        maxAttempts: config.retry.maxAttempts,
        nextAttemptAt: placement.scheduledAt ?? now,
        lastErrorCode: placement.reason,
        lastErrorMessage: placement.reason ? `skipped: ${placement.reason}` : null,
        scheduledAt: placement.scheduledAt,
        callback: input.callback ?? '',
      };
      const result = await withSpan(
        'notify.insert',
        { kind: 'client', attributes: { 'notify.channel': record.channel, 'db.operation.name': 'INSERT' } },
        async (span) => {
          const stored = await this.deps.store.insertOrFind(record, now);
          span?.setAttributes({
            'notify.notification_id': stored.record.id,
            'notify.deduplicated': stored.deduplicated,
          });
          return stored;
        },
      );
      if (!result.deduplicated) await (this.deps.changes ?? NO_CHANGES).changed(result.record);
      if (result.deduplicated) assertSameRequest(result.record, requestHash, raw.dedupeKey !== '');
      if (!result.deduplicated && result.record.status !== 'skipped')
        await this.publishBehind(result.record, now);
      outcomes.push(result);
    }
    return outcomes;
  }

  /**
   * Waits for every publish still behind an answered trigger; call before the bus closes, so a
   * graceful stop leaves nothing for the relay.
   */
  async drain(): Promise<void> {
    while (this.publishing.size > 0) await Promise.all(this.publishing);
  }

  /**
   * Starts the publish and returns at once, unless too many are already waiting for the broker:
   * then this trigger waits for its own, so a slow broker slows callers instead of growing memory.
   */
  private async publishBehind(record: NotificationRecord, now: Date): Promise<void> {
    const published = this.publish(record, now);
    if (this.publishing.size >= this.deps.config.server.maxInFlightTriggers) {
      await published;
      return;
    }
    this.publishing.add(published);
    void published.finally(() => this.publishing.delete(published));
  }

  /** Never rejects: accepted means committed, and the outbox relay republishes a lost message. */
  private async publish(record: NotificationRecord, now: Date): Promise<void> {
    // Quiet-hours records ride the retry tiers until their window ends; the worker re-delays early ones.
    const delayMs = Math.max(0, record.nextAttemptAt.getTime() - now.getTime());
    await publishOrLeaveToScanner(
      this.deps.bus,
      { kind: 'notification.requested', notificationId: record.id, channel: record.channel },
      { delayMs },
      this.deps.logger,
      { what: 'trigger', fields: { trace_id: record.traceId } },
    );
  }

  private async place(input: ReturnType<typeof validateTrigger>, now: Date): Promise<Placement[]> {
    const { channels, settings } = this.deps;
    if (input.channels.length > 0) {
      const stored = await Promise.all(input.channels.map((channel) => settings.get(input.userId, channel)));
      return input.channels.map((channel, i) =>
        this.placeOne(channel, stored[i] ?? null, input.critical, now),
      );
    }
    const enabled = (await settings.listForUser(input.userId)).filter(
      (setting) => setting.enabled && channels.get(setting.channel),
    );
    if (enabled.length === 0) {
      return [{ channel: '', plugin: '', status: 'skipped', reason: 'no_channel_config', scheduledAt: null }];
    }
    return enabled.map((setting) => this.placeOne(setting.channel, setting, input.critical, now));
  }

  private placeOne(
    channel: string,
    setting: UserChannelSetting | null,
    critical: boolean,
    now: Date,
  ): Placement {
    const loaded = this.deps.channels.get(channel);
    const plugin = loaded?.pluginId ?? '';
    const skip = channelPreflight(loaded, setting);
    if (skip) return { channel, plugin, status: 'skipped', reason: skip.code, scheduledAt: null };
    const quietUntil =
      setting && !critical ? quietWindowEnd(now, setting.quietHours, setting.timezone) : null;
    if (quietUntil) return { channel, plugin, status: 'scheduled', reason: null, scheduledAt: quietUntil };
    return { channel, plugin, status: 'pending', reason: null, scheduledAt: null };
  }
}

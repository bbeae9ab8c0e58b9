import type { MessageBus } from '../delivery/message-bus.js';
import type { ChannelRegistry } from '../channels/channel-registry.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import type { NotificationRecord } from '../notification/notification-record.js';
import type { Clock } from '../shared/clock.js';
import { GatewayError, invalidField } from '../shared/gateway-error.js';
import type { Logger } from '../shared/logger.js';
import type { UserChannelSetting } from '../user-config/channel-settings-source.js';
import type { Decision, DecisionOutcome, EventInput, NotifyEvent } from './event.js';
import { eventPayloadHash, validateEvent } from './event-input.js';
import type { EventListPage, EventListQuery, EventStore, EventTrace } from './event-store.js';
import { expandRecipients } from './event-variables.js';
import { planFanOut } from './fan-out-plan.js';
import { effectiveRules, type RoutingRule } from './routing-rules.js';
import { selectRules } from './rule-matching.js';

/** Default and maximum page size of ListEvents. */
export const EVENT_PAGE_SIZE = { default: 50, max: 500 } as const;

/** Where an event came from, for metrics. */
export type EventSource = 'rpc' | 'amqp' | 'alertmanager' | 'schedule';

/** What the event path reports (metrics implement it); every method cheap and never throwing. */
export interface EventObserver {
  /** An event was published: `new` (fanned out), `deduplicated` or `rejected`. */
  published(source: EventSource, result: 'new' | 'deduplicated' | 'rejected'): void;
  /** One decision of a new event. */
  decided(rule: string, outcome: DecisionOutcome): void;
}

export const NO_EVENT_OBSERVER: EventObserver = { published: () => undefined, decided: () => undefined };

/** Reads every recipient's channel settings at once (UserConfigService implements it). */
export interface RecipientSettingsSource {
  listForUsers(userIds: readonly string[]): Promise<ReadonlyMap<string, readonly UserChannelSetting[]>>;
}

/**
 * Told when a RESOLVED event is newly accepted, with the notifications of the earlier FIRING
 * events of its fingerprint (MessageLifecycle.updateMessagesOf implements it). Returns at once;
 * never throws.
 */
export interface EventResolutions {
  resolved(notificationIds: readonly string[], resolvedAt: Date): void;
}

/** What the event path needs; injected by the composition root. */
export interface EventServiceDependencies {
  readonly store: EventStore;
  readonly bus: MessageBus;
  readonly channels: ChannelRegistry;
  readonly settings: RecipientSettingsSource;
  readonly config: Pick<GatewayConfig, 'rules' | 'groups' | 'delivery' | 'retry' | 'callbacks'>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly observer?: EventObserver;
  /** Where a RESOLVED event's earlier messages are updated in place; absent: they are left as sent. */
  readonly resolutions?: EventResolutions;
}

/** What PublishEvent answers. */
export interface PublishResult {
  readonly event: NotifyEvent;
  readonly deduplicated: boolean;
  readonly decisions: readonly Decision[];
  readonly notifications: ReadonlyArray<{
    readonly record: NotificationRecord;
    readonly deduplicated: boolean;
  }>;
}

/**
 * The first mile: an event in, routed through the rules, fanned out to one notification per
 * (recipient, channel) through the trigger path's placement, records and decisions committed in
 * ONE transaction, then ONE batched publish. Idempotent by event_id: the same payload again
 * answers the stored result (`deduplicated`), a different one is AlreadyExists.
 */
export class EventService {
  private readonly rules: readonly RoutingRule[];

  constructor(private readonly deps: EventServiceDependencies) {
    this.rules = effectiveRules(deps.config.rules);
  }

  /** Publish an event; throws InvalidArgument naming the field, or AlreadyExists on a changed payload. */
  async publish(input: EventInput, source: EventSource = 'rpc'): Promise<PublishResult> {
    const observer = this.deps.observer ?? NO_EVENT_OBSERVER;
    try {
      const result = await this.accept(input);
      observer.published(source, result.deduplicated ? 'deduplicated' : 'new');
      if (!result.deduplicated) for (const d of result.decisions) observer.decided(d.rule, d.outcome);
      return result;
    } catch (error) {
      observer.published(source, 'rejected');
      throw error;
    }
  }

  private async accept(input: EventInput): Promise<PublishResult> {
    const { config, clock } = this.deps;
    const now = clock.now();
    const event = validateEvent(input, now, config.delivery.maxTextLength);
    if (event.callback && !config.callbacks.some((callback) => callback.id === event.callback)) {
      throw invalidField(
        'event.callback',
        'unknown_callback',
        `"${event.callback}" is not a configured callback`,
      );
    }
    const payloadHash = eventPayloadHash(input);
    const settings = await this.deps.settings.listForUsers(this.recipientsOf(event));
    const plan = planFanOut(event, {
      rules: this.rules,
      groups: config.groups,
      channels: this.deps.channels,
      settings,
      templates: config.delivery.templates,
      fallbackText: config.delivery.fallbackText,
      maxAttempts: config.retry.maxAttempts,
      now,
      requestHash: payloadHash,
    });
    const committed = await this.deps.store.commitFanOut({ event, payloadHash, ...plan }, now);
    if (!committed.inserted) {
      if (committed.existing.payloadHash !== payloadHash) {
        throw new GatewayError(
          'already_exists',
          'idempotency_key_reused',
          `event.event_id: event ${event.eventId} was already published with a different payload`,
          'event.event_id',
        );
      }
      return this.stored(event.eventId);
    }
    await this.publishRecords(
      committed.records.filter((r) => !r.deduplicated && r.record.status !== 'skipped').map((r) => r.record),
      now,
    );
    if (event.status === 'resolved') await this.resolveEarlier(event);
    return { event, deduplicated: false, decisions: committed.decisions, notifications: committed.records };
  }

  /** A newly accepted RESOLVED event: the messages of the FIRING events it ends turn resolved. */
  private async resolveEarlier(event: NotifyEvent): Promise<void> {
    const resolutions = this.deps.resolutions;
    if (!resolutions) return;
    try {
      const ids = await this.deps.store.notificationIdsOfFingerprint(
        event.fingerprint,
        event.eventId,
        event.occurredAt,
      );
      if (ids.length > 0) resolutions.resolved(ids, event.occurredAt);
    } catch (error) {
      // The event is committed; a failed lookup only leaves the earlier cards as they were.
      this.deps.logger.warn(
        { event_id: event.eventId, trace_id: event.traceId, err: (error as Error).message },
        'resolving the earlier messages of the fingerprint failed',
      );
    }
  }

  /** Every user any selected, non-suppressing rule may address (whose settings placement reads). */
  private recipientsOf(event: NotifyEvent): string[] {
    const users = new Set<string>();
    for (const rule of selectRules(this.rules, event)) {
      if (rule.suppress) continue;
      for (const user of expandRecipients(rule, event, this.deps.config.groups)) users.add(user);
    }
    return [...users];
  }

  /** The stored result of an event published before (or concurrently by someone else). */
  private async stored(eventId: string): Promise<PublishResult> {
    const trace = await this.getTrace(eventId);
    const records = await this.deps.store.listNotifications(eventId);
    return {
      event: trace.event,
      deduplicated: true,
      decisions: trace.decisions,
      notifications: records.map((record) => ({ record, deduplicated: true })),
    };
  }

  /** ONE batched publish; never rejects: a failed publish is the outbox relay's to repair. */
  private async publishRecords(records: readonly NotificationRecord[], now: Date): Promise<void> {
    if (records.length === 0) return;
    try {
      await this.deps.bus.publishMany(
        records.map((record) => ({
          event: { kind: 'notification.requested', notificationId: record.id, channel: record.channel },
          // Quiet-hours records ride the retry tiers until their window ends (as Trigger's do).
          delayMs: Math.max(0, record.nextAttemptAt.getTime() - now.getTime()),
        })),
      );
    } catch (error) {
      this.deps.logger.warn(
        { event_id: records[0]?.eventId, trace_id: records[0]?.traceId, err: (error as Error).message },
        'event fan-out publish failed; the relay will republish',
      );
    }
  }

  /** GetEvent: the event, its decisions and notification ids; NotFound when absent. */
  async getTrace(eventId: string): Promise<EventTrace> {
    if (eventId.trim().length === 0) throw invalidField('event_id', 'field_required', 'is required');
    const trace = await this.deps.store.findTrace(eventId);
    if (!trace) throw new GatewayError('not_found', 'event_not_found', `event ${eventId} does not exist`);
    return trace;
  }

  /** ListEvents: newest first. */
  async list(query: Omit<EventListQuery, 'limit'> & { pageSize: number }): Promise<EventListPage> {
    if (query.pageSize < 0) throw invalidField('page_size', 'invalid_value', 'must not be negative');
    const limit = Math.min(query.pageSize || EVENT_PAGE_SIZE.default, EVENT_PAGE_SIZE.max);
    try {
      return await this.deps.store.list({ ...query, limit });
    } catch (error) {
      if ((error as Error).name === 'InvalidCursorError')
        throw invalidField('page_token', 'invalid_page_token', 'is not a token from a previous page');
      throw error;
    }
  }
}

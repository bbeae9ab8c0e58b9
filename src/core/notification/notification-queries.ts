import { publishOrLeaveToScanner } from '../delivery/publish-or-leave-to-scanner.js';
import type { MessageBus } from '../delivery/message-bus.js';
import type { Clock } from '../shared/clock.js';
import { checkId, echo, ID_LIMITS } from '../shared/field-rules.js';
import { GatewayError, invalidField } from '../shared/gateway-error.js';
import type { Logger } from '../shared/logger.js';
import type { ListPage, ListQuery, NotificationStore } from './notification-store.js';
import { NO_CHANGES, type ChangeReporter } from './notification-changes.js';
import type { AttemptRecord, NotificationRecord } from './notification-record.js';

/** Default and maximum page size of ListNotifications. */
export const PAGE_SIZE = { default: 50, max: 500 } as const;

/** Reads and operator commands on notification records (Get, List, Retry, Cancel). */
export class NotificationQueries {
  constructor(
    private readonly deps: {
      readonly store: NotificationStore;
      readonly bus: MessageBus;
      readonly clock: Clock;
      readonly logger: Logger;
      readonly maxAttempts: number;
      /** Told about redriven and cancelled records (WatchNotifications). */
      readonly changes?: ChangeReporter;
    },
  ) {}

  /** One record with its attempts; NotFound when absent. */
  async get(id: string): Promise<{ record: NotificationRecord; attempts: AttemptRecord[] }> {
    const record = await this.require(id);
    return { record, attempts: await this.deps.store.listAttempts(id) };
  }

  /** A page of records, newest first. */
  async list(query: Omit<ListQuery, 'limit'> & { pageSize: number }): Promise<ListPage> {
    if (query.pageSize < 0) throw invalidField('page_size', 'invalid_value', 'must not be negative');
    checkId('user_id', query.userId ?? '', ID_LIMITS.userId, false);
    checkId('channel', query.channel ?? '', ID_LIMITS.channel, false);
    checkId('trigger_id', query.triggerId ?? '', ID_LIMITS.triggerId, false);
    const limit = Math.min(query.pageSize || PAGE_SIZE.default, PAGE_SIZE.max);
    try {
      return await this.deps.store.list({ ...query, limit });
    } catch (error) {
      if ((error as Error).name === 'InvalidCursorError') {
        throw invalidField('page_token', 'invalid_page_token', 'is not a token from a previous page');
      }
      throw error;
    }
  }

  /** Redrive a dead or failed record now with a fresh attempt budget. */
  async retry(id: string): Promise<NotificationRecord> {
    const existing = await this.require(id);
    const record = await this.deps.store.redrive(id, this.deps.clock.now(), this.deps.maxAttempts);
    if (!record) {
      throw new GatewayError(
        'failed_precondition',
        'not_retryable',
        `notification is ${existing.status}; only dead or failed can be retried`,
      );
    }
    await (this.deps.changes ?? NO_CHANGES).changed(record);
    await publishOrLeaveToScanner(
      this.deps.bus,
      { kind: 'notification.requested', notificationId: record.id, channel: record.channel },
      undefined,
      this.deps.logger,
      { what: 'redrive' },
    );
    return record;
  }

  /** Cancel a pending, scheduled or failed record. */
  async cancel(id: string): Promise<NotificationRecord> {
    const existing = await this.require(id);
    const record = await this.deps.store.cancel(id, this.deps.clock.now());
    if (!record) {
      throw new GatewayError(
        'failed_precondition',
        'not_cancellable',
        `notification is ${existing.status}; only pending, scheduled or failed can be cancelled`,
      );
    }
    await (this.deps.changes ?? NO_CHANGES).changed(record);
    return record;
  }

  private async require(id: string): Promise<NotificationRecord> {
    checkId('id', id, ID_LIMITS.notificationId);
    const record = await this.deps.store.findById(id);
    if (!record) {
      throw new GatewayError(
        'not_found',
        'notification_not_found',
        `notification ${echo(id)} does not exist`,
      );
    }
    return record;
  }
}

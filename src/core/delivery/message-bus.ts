import { UnstorableValueError } from '../shared/unstorable-value-error.js';
import type { NotificationRecord } from '../notification/notification-record.js';

/** Asks a worker to deliver one notification (routing key `notification.<channel>.requested`). */
export interface DeliveryRequested {
  readonly kind: 'notification.requested';
  readonly notificationId: string;
  readonly channel: string;
}

/** A scheduled job fell due (routing key `active_schedule.triggered`). */
export interface ScheduleTriggered {
  readonly kind: 'active_schedule.triggered';
  readonly jobKey: string;
}

export type BusEvent = DeliveryRequested | ScheduleTriggered;

/** The two work queues: `notify.deliver` and `notify.schedule`. */
export type BusQueue = 'deliver' | 'schedule';

export interface PublishOptions {
  /**
   * Deliver no earlier than this many milliseconds from now (retry tiers). The bus may deliver
   * somewhat early (never more than its smallest tier); consumers re-delay early arrivals.
   */
  readonly delayMs?: number;
}

/**
 * Thrown by a handler for a well-formed event that can never succeed (its record does not exist):
 * the bus dead-letters it to `notify.dead` at once instead of redelivering it up to the limit.
 */
export class PoisonMessageError extends Error {
  override readonly name = 'PoisonMessageError';
}

/**
 * True for a handler error no redelivery can fix: a {@link PoisonMessageError}, or a value the
 * database refuses to store. The bus dead-letters such an event once instead of redelivering it.
 */
export function isPermanentHandlerError(error: unknown): boolean {
  return error instanceof PoisonMessageError || error instanceof UnstorableValueError;
}

/**
 * Calls the handler for one event; resolve → ack, a permanent error ({@link isPermanentHandlerError})
 * → dead-letter once, any other throw → requeue (bounded by the delivery limit).
 */
export type BusHandler = (event: BusEvent) => Promise<void>;

/** Receives every status change broadcast by any process (the record as it stands after it). */
export type ChangeListener = (record: NotificationRecord) => void;

export interface Subscription {
  /** Stop receiving new events; resolves when in-flight handlers have finished and acked. */
  cancel(): Promise<void>;
}

/**
 * The message bus port (RabbitMQ in production, in-process when embedded). RabbitMQ is the fast
 * path only: anything it loses, the scanner finds in the database.
 */
export interface MessageBus {
  /** Connect and declare topology. Idempotent. */
  start(): Promise<void>;
  /** Publish and wait for the broker's confirm. Throws when unconfirmed or disconnected. */
  publish(event: BusEvent, options?: PublishOptions): Promise<void>;
  /**
   * Publish many events as one batch (an event's fan-out): all written at once, then every confirm
   * awaited together. Throws when any of them was not confirmed (the others may have been).
   */
  publishMany(items: ReadonlyArray<{ readonly event: BusEvent; readonly delayMs?: number }>): Promise<void>;
  /**
   * Consume one queue with at most `prefetch` unacked events in flight. Bodies that are not valid
   * events are dead-lettered to `notify.dead` once and never reach the handler.
   */
  subscribe(queue: BusQueue, handler: BusHandler, options: { prefetch: number }): Promise<Subscription>;
  /**
   * Fan a record's new state out to every process watching changes (WatchNotifications). Best
   * effort and never throws or waits: a lost change is repaired by watchers re-reading the record.
   */
  broadcastChange(record: NotificationRecord): void;
  /**
   * Receive every change broadcast from now on, from any process on the same broker (RabbitMQ: an
   * exclusive auto-delete queue of this process on the `notify.changes` fanout exchange).
   */
  watchChanges(listener: ChangeListener): Promise<Subscription>;
  /** Throws when the broker is unreachable (readiness). */
  ping(): Promise<void>;
  /** Messages now in `notify.dead` (the dead-letter depth metric); throws when unreachable. */
  deadLetterDepth(): Promise<number>;
  /** Messages waiting in each of this bus's queues, the dead-letter queue included (operators' view). */
  queueDepths(): Promise<QueueDepth[]>;
  close(): Promise<void>;
}

/** Messages waiting in one queue, by the name the broker knows it under. */
export interface QueueDepth {
  readonly queue: string;
  readonly messages: number;
  /** True for the dead-letter queue (`notify.dead`). */
  readonly dead: boolean;
}

/** Routing key for an event on the `notify` topic exchange. */
export function routingKeyOf(event: BusEvent): string {
  return event.kind === 'notification.requested'
    ? `notification.${event.channel}.requested`
    : 'active_schedule.triggered';
}

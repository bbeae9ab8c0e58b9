import type { NotificationRecord } from '../../core/notification/notification-record.js';
import {
  isPermanentHandlerError,
  type ChangeListener,
  type BusEvent,
  type BusHandler,
  type BusQueue,
  type MessageBus,
  type PublishOptions,
  type QueueDepth,
  type Subscription,
} from '../../core/delivery/message-bus.js';
import type { Context } from '@opentelemetry/api';
import { captureContext, withSpan } from '../../core/telemetry/tracing.js';

/** Structured logger the in-process bus reports to (pino-compatible). */
export interface MemoryBusLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** Options of {@link MemoryMessageBus}. */
export interface MemoryMessageBusOptions {
  /**
   * Redeliveries of a failing event before it is dropped to the dead list (default 20), counted as
   * RabbitMQ counts `x-delivery-limit`: a limit of 2 means three handler calls.
   */
  readonly deliveryLimit?: number;
  /** Pause before a failed event is offered again (default 100 ms). */
  readonly redeliveryDelayMs?: number;
  /** Dead events kept; beyond it the oldest are dropped, as `notify.dead` does (default 10,000). */
  readonly deadLetterMaxLength?: number;
  readonly logger?: MemoryBusLogger;
}

/** An event that used up its delivery limit, kept in memory for inspection. */
export interface DeadEvent {
  readonly queue: BusQueue;
  readonly event: BusEvent;
  readonly deliveries: number;
  readonly lastError: string;
}

interface Envelope {
  readonly event: BusEvent;
  deliveries: number;
  /** The publisher's trace context (tracing on only): the consume span continues its trace. */
  readonly trace: Context | undefined;
}

interface Consumer {
  readonly queue: BusQueue;
  readonly handler: BusHandler;
  readonly prefetch: number;
  readonly inFlight: Set<Promise<void>>;
  cancelled: boolean;
}

const SILENT: MemoryBusLogger = { warn() {}, error() {} };

/**
 * The in-process bus of the embedded single-process mode: same semantics as RabbitMQ (delays,
 * prefetch, redelivery up to a limit, cancel drains in-flight handlers) but nothing survives a
 * restart; the database scanner republishes whatever was lost.
 */
export class MemoryMessageBus implements MessageBus {
  private readonly queues: Record<BusQueue, Envelope[]> = { deliver: [], schedule: [] };
  private readonly consumers: Consumer[] = [];
  private readonly changeListeners = new Set<ChangeListener>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly dead: DeadEvent[] = [];
  private readonly deliveryLimit: number;
  private readonly redeliveryDelayMs: number;
  private readonly deadLetterMaxLength: number;
  private readonly logger: MemoryBusLogger;
  /** Round-robin cursor so several consumers of one queue share the work. */
  private nextConsumer = 0;
  private started = false;
  private closed = false;

  constructor(options: MemoryMessageBusOptions = {}) {
    this.deliveryLimit = options.deliveryLimit ?? 20;
    this.redeliveryDelayMs = options.redeliveryDelayMs ?? 100;
    this.deadLetterMaxLength = options.deadLetterMaxLength ?? 10_000;
    this.logger = options.logger ?? SILENT;
  }

  /** Marks the bus ready. Idempotent; rejects after close. */
  start(): Promise<void> {
    return attempt(() => {
      if (this.closed) throw new Error('message bus is closed');
      this.started = true;
    });
  }

  /** Queues the event (after `delayMs`, if given); rejects before start and after close. */
  publish(event: BusEvent, options: PublishOptions = {}): Promise<void> {
    return attempt(() => {
      this.assertOpen();
      // A copy, as a broker would hand over: the publisher may reuse or mutate its object.
      const envelope: Envelope = { event: structuredClone(event), deliveries: 0, trace: captureContext() };
      const queue: BusQueue = event.kind === 'notification.requested' ? 'deliver' : 'schedule';
      this.enqueueAfter(queue, envelope, options.delayMs ?? 0);
    });
  }

  /** Queues every event (each after its own delay); rejects before start and after close. */
  publishMany(items: ReadonlyArray<{ readonly event: BusEvent; readonly delayMs?: number }>): Promise<void> {
    return attempt(() => {
      this.assertOpen();
      for (const { event, delayMs } of items) {
        const queue: BusQueue = event.kind === 'notification.requested' ? 'deliver' : 'schedule';
        this.enqueueAfter(
          queue,
          { event: structuredClone(event), deliveries: 0, trace: captureContext() },
          delayMs ?? 0,
        );
      }
    });
  }

  /** Consumes `queue` with at most `prefetch` handlers running at once. */
  subscribe(queue: BusQueue, handler: BusHandler, options: { prefetch: number }): Promise<Subscription> {
    return attempt(() => {
      this.assertOpen();
      const { prefetch } = options;
      if (!Number.isInteger(prefetch) || prefetch < 1) {
        throw new RangeError(`prefetch must be a positive integer, got ${prefetch}`);
      }
      const consumer: Consumer = { queue, handler, prefetch, inFlight: new Set(), cancelled: false };
      this.consumers.push(consumer);
      queueMicrotask(() => this.dispatch(queue));
      return { cancel: () => this.cancel(consumer) };
    });
  }

  /** Hands a copy of the record to every change listener on a later turn; never throws. */
  broadcastChange(record: NotificationRecord): void {
    if (this.closed || this.changeListeners.size === 0) return;
    for (const listener of this.changeListeners) {
      const copy = structuredClone(record);
      queueMicrotask(() => {
        try {
          listener(copy);
        } catch (error) {
          this.logger.warn({ err: (error as Error).message }, 'change listener failed');
        }
      });
    }
  }

  /** Receives every broadcast change until cancelled. */
  watchChanges(listener: ChangeListener): Promise<Subscription> {
    return attempt(() => {
      this.assertOpen();
      this.changeListeners.add(listener);
      return {
        cancel: () => {
          this.changeListeners.delete(listener);
          return Promise.resolve();
        },
      };
    });
  }

  /** Throws unless started and not closed. */
  ping(): Promise<void> {
    return attempt(() => this.assertOpen());
  }

  /** Events queued per queue (delayed ones not yet due are not counted) and the dead events. */
  queueDepths(): Promise<QueueDepth[]> {
    return Promise.resolve([
      ...Object.entries(this.queues).map(([queue, envelopes]) => ({
        queue: `notify.${queue}`,
        messages: envelopes.length,
        dead: false,
      })),
      { queue: 'notify.dead', messages: this.dead.length, dead: true },
    ]);
  }

  /** Cancels every consumer (waiting for in-flight handlers) and drops pending delayed events. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.changeListeners.clear();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.consumers].map((consumer) => this.cancel(consumer)));
  }

  /** How many dead events are kept now (the dead-letter depth metric). */
  deadLetterDepth(): Promise<number> {
    return Promise.resolve(this.dead.length);
  }

  /** Events that used up their delivery limit (the in-memory `notify.dead`). */
  deadEvents(): readonly DeadEvent[] {
    return [...this.dead];
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('message bus is closed');
    if (!this.started) throw new Error('message bus is not started');
  }

  private async cancel(consumer: Consumer): Promise<void> {
    consumer.cancelled = true;
    const index = this.consumers.indexOf(consumer);
    if (index >= 0) this.consumers.splice(index, 1);
    while (consumer.inFlight.size > 0) await Promise.allSettled([...consumer.inFlight]);
  }

  private enqueueAfter(queue: BusQueue, envelope: Envelope, delayMs: number): void {
    if (delayMs <= 0) {
      this.queues[queue].push(envelope);
      this.dispatch(queue);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.queues[queue].push(envelope);
      this.dispatch(queue);
    }, delayMs);
    this.timers.add(timer);
  }

  /** Hands queued events to consumers with free prefetch slots, round-robin. */
  private dispatch(queue: BusQueue): void {
    const pending = this.queues[queue];
    while (pending.length > 0 && !this.closed) {
      const consumer = this.pickConsumer(queue);
      if (!consumer) return;
      const envelope = pending.shift();
      if (envelope) this.deliver(consumer, envelope);
    }
  }

  private pickConsumer(queue: BusQueue): Consumer | undefined {
    const count = this.consumers.length;
    for (let i = 0; i < count; i++) {
      const consumer = this.consumers[(this.nextConsumer + i) % count];
      if (consumer && consumer.queue === queue && consumer.inFlight.size < consumer.prefetch) {
        this.nextConsumer = (this.nextConsumer + i + 1) % count;
        return consumer;
      }
    }
    return undefined;
  }

  private deliver(consumer: Consumer, envelope: Envelope): void {
    envelope.deliveries += 1;
    const task = Promise.resolve()
      .then(() =>
        withSpan(
          'notify.consume',
          {
            kind: 'consumer',
            parent: envelope.trace,
            attributes: { 'messaging.destination.name': consumer.queue },
          },
          () => consumer.handler(structuredClone(envelope.event)),
        ),
      )
      .then(
        () => undefined,
        (error: unknown) => this.onHandlerFailed(consumer.queue, envelope, error),
      );
    consumer.inFlight.add(task);
    void task.finally(() => {
      consumer.inFlight.delete(task);
      this.dispatch(consumer.queue);
    });
  }

  private onHandlerFailed(queue: BusQueue, envelope: Envelope, error: unknown): void {
    const lastError = error instanceof Error ? error.message : String(error);
    const poison = isPermanentHandlerError(error);
    if (poison || envelope.deliveries > this.deliveryLimit) {
      this.dead.push({ queue, event: envelope.event, deliveries: envelope.deliveries, lastError });
      if (this.dead.length > this.deadLetterMaxLength) this.dead.shift();
      this.logger.error(
        { queue, event: envelope.event, deliveries: envelope.deliveries, err: lastError },
        poison ? 'poison message dead-lettered' : 'event dead after delivery limit',
      );
      return;
    }
    this.logger.warn({ queue, event: envelope.event, err: lastError }, 'handler failed; redelivering');
    // After close the event is dropped rather than redelivered: nothing would consume it.
    if (!this.closed) this.enqueueAfter(queue, envelope, this.redeliveryDelayMs);
  }
}

/** Runs `fn` now and reports its result or throw as a promise, as the broker-backed bus does. */
function attempt<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

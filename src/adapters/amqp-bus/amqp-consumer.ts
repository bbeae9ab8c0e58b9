import { setTimeout as sleep } from 'node:timers/promises';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import {
  isPermanentHandlerError,
  type BusEvent,
  type BusHandler,
  type BusQueue,
  type Subscription,
} from '../../core/delivery/message-bus.js';
import { errorMessage, type BusLogger } from './bus-logger.js';
import { decodeEvent } from './event-codec.js';
import { withTimeout } from './with-timeout.js';
import { extractTraceContext, isTracingEnabled, withSpan } from '../../core/telemetry/tracing.js';

/** What one consumer needs from the bus that owns it. */
export interface AmqpConsumerOptions {
  readonly queue: BusQueue;
  /** The prefixed queue name. */
  readonly queueName: string;
  readonly prefetch: number;
  readonly handler: BusHandler;
  readonly logger: BusLogger;
  /** Bound on the cancel round trip, so a frozen link cannot hang shutdown. */
  readonly rpcTimeoutMs: number;
  /** Pause before a failed event goes back to the queue (cut short by cancel). */
  readonly redeliveryDelayMs: number;
  /** The channel died or the broker cancelled the consumer while the connection stayed up. */
  readonly onLost: (model: ChannelModel, reason: string) => void;
  /** Called once `cancel()` has finished, so the bus forgets this consumer. */
  readonly onCancelled: (consumer: AmqpConsumer) => void;
}

/**
 * One subscription: a channel of its own per connection (so prefetch is per consumer), manual
 * acks, poison bodies dead-lettered, and a cancel that drains in-flight handlers.
 */
export class AmqpConsumer implements Subscription {
  private model: ChannelModel | undefined;
  private channel: Channel | undefined;
  private consumerTag: string | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private cancelled = false;
  /** Aborted by cancel(): paused redeliveries go back at once so shutdown is not held up. */
  private readonly stopping = new AbortController();

  constructor(private readonly options: AmqpConsumerOptions) {}

  /** Opens a channel on `model` and starts consuming; called on subscribe and on every reconnect. */
  async attach(model: ChannelModel): Promise<void> {
    if (this.cancelled) return;
    const { queueName, prefetch, logger, queue } = this.options;
    const channel = await model.createChannel();
    channel.on('error', (error: Error) =>
      logger.warn({ queue, err: errorMessage(error) }, 'consumer channel error'),
    );
    channel.on('close', () => {
      if (this.channel !== channel) return;
      this.channel = undefined;
      if (this.model === model && !this.cancelled) this.options.onLost(model, 'consumer channel closed');
    });
    try {
      await channel.prefetch(prefetch);
      const reply = await channel.consume(queueName, (message) => this.onMessage(model, channel, message), {
        noAck: false,
      });
      this.model = model;
      this.channel = channel;
      this.consumerTag = reply.consumerTag;
    } catch (error) {
      await channel.close().catch(() => {});
      throw error;
    }
  }

  /** The connection is gone: its channel is dead, acks of in-flight handlers will be no-ops. */
  detach(model: ChannelModel): void {
    if (this.model !== model) return;
    this.model = undefined;
    this.channel = undefined;
    this.consumerTag = undefined;
  }

  /** Stops new deliveries, waits for in-flight handlers to finish and ack, then closes the channel. */
  async cancel(): Promise<void> {
    if (this.cancelled) return;
    this.cancelled = true;
    this.stopping.abort();
    const { channel, consumerTag } = this;
    if (channel && consumerTag) {
      try {
        await withTimeout(channel.cancel(consumerTag), this.options.rpcTimeoutMs, 'consumer cancel');
      } catch {
        // The channel or connection died (or hangs); the broker requeues whatever stays unacked.
      }
    }
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    this.channel = undefined;
    this.model = undefined;
    if (channel)
      await withTimeout(channel.close(), this.options.rpcTimeoutMs, 'channel close').catch(() => {});
    this.options.onCancelled(this);
  }

  /** The handler inside a consume span that continues the publisher's trace (from the message headers). */
  private handleTraced(message: ConsumeMessage, event: BusEvent): Promise<void> {
    const headers = message.properties.headers;
    return withSpan(
      'notify.consume',
      {
        kind: 'consumer',
        parent: extractTraceContext(headers),
        attributes: {
          'messaging.system': 'rabbitmq',
          'messaging.destination.name': this.options.queueName,
          'messaging.message.id': String(message.properties.messageId ?? ''),
        },
      },
      () => this.options.handler(event),
    );
  }

  private onMessage(model: ChannelModel, channel: Channel, message: ConsumeMessage | null): void {
    const { logger, queue, handler } = this.options;
    if (message === null) {
      // basic.cancel from the broker: the queue was deleted (or its leader moved away for good).
      logger.warn({ queue }, 'consumer cancelled by broker; re-declaring and re-subscribing');
      if (this.channel === channel && !this.cancelled)
        this.options.onLost(model, 'consumer cancelled by broker');
      return;
    }
    if (this.cancelled) {
      // Arrived between cancel and cancel-ok: hand it back for another consumer.
      settle(channel, message, 'requeue', logger);
      return;
    }
    const event = decodeEvent(message.content);
    if (!event) {
      // Rejecting without requeue dead-letters it to notify.dead exactly once (queue DLX settings).
      logger.error(
        { queue, message_id: message.properties.messageId, bytes: message.content.length },
        'poison message dead-lettered',
      );
      settle(channel, message, 'dead-letter', logger);
      return;
    }
    const task = Promise.resolve()
      .then(() => (isTracingEnabled() ? this.handleTraced(message, event) : handler(event)))
      .then(
        () => settle(channel, message, 'ack', logger),
        (error: unknown) => {
          if (isPermanentHandlerError(error)) {
            // Redelivering cannot help: park it in notify.dead once, for an operator to inspect.
            logger.error({ queue, event, err: errorMessage(error) }, 'poison message dead-lettered');
            settle(channel, message, 'dead-letter', logger);
            return;
          }
          logger.warn(
            { queue, event, err: errorMessage(error), retry_in_ms: this.options.redeliveryDelayMs },
            'handler failed; requeueing',
          );
          // Held (and its prefetch slot with it) for a moment first: while the database is down, an
          // instant requeue spins through the delivery limit in milliseconds and dead-letters work
          // that only needed to wait; paused, every failing consumer slows to prefetch per delay.
          return sleep(this.options.redeliveryDelayMs, undefined, { signal: this.stopping.signal })
            .catch(() => undefined)
            .then(() => settle(channel, message, 'requeue', logger));
        },
      );
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
  }
}

function settle(
  channel: Channel,
  message: ConsumeMessage,
  how: 'ack' | 'requeue' | 'dead-letter',
  logger: BusLogger,
): void {
  try {
    if (how === 'ack') channel.ack(message);
    else channel.nack(message, false, how === 'requeue');
  } catch (error) {
    // The channel closed under us (connection lost): the broker redelivers the message anyway.
    logger.warn({ how, err: errorMessage(error) }, 'could not settle message; broker will redeliver');
  }
}

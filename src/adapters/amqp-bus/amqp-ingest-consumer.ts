import { setTimeout as sleep } from 'node:timers/promises';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import {
  DEAD_DETAIL_HEADER,
  DEAD_REASON_HEADER,
  type IngestBinding,
  type IngestHandler,
} from '../../core/event/ingest-source.js';
import type { Subscription } from '../../core/delivery/message-bus.js';
import { errorMessage, type BusLogger } from './bus-logger.js';
import { withTimeout } from './with-timeout.js';

/** What one ingest consumer needs from the bus that owns it. */
export interface AmqpIngestConsumerOptions {
  readonly binding: IngestBinding;
  readonly handler: IngestHandler;
  readonly prefetch: number;
  readonly deliveryLimit: number;
  /** The gateway's `notify.dead` queue: rejected messages are parked there, once. */
  readonly deadQueue: string;
  /** Publishes a copy to `notify.dead` on the bus's confirm channel; resolves on the confirm. */
  readonly publishDead: (
    body: Buffer,
    contentType: string | undefined,
    headers: Record<string, unknown>,
  ) => Promise<void>;
  readonly logger: BusLogger;
  readonly rpcTimeoutMs: number;
  readonly redeliveryDelayMs: number;
  /** Pause before binding again after the caller's exchange was missing or the channel died. */
  readonly rebindDelayMs: number;
  readonly onCancelled: (consumer: AmqpIngestConsumer) => void;
}

/**
 * Consumes a durable quorum queue bound to a caller's exchange: manual acks after the handler
 * (the event committed), invalid bodies copied to `notify.dead` once with the reason in a header
 * and then acked (never redelivered in a loop), handler failures redelivered after a pause and
 * bounded by the queue's delivery limit. Its own channel, so a missing exchange (a channel error)
 * never disturbs the gateway's own consumers; it binds again on every reconnect and after errors.
 */
export class AmqpIngestConsumer implements Subscription {
  private model: ChannelModel | undefined;
  private channel: Channel | undefined;
  private consumerTag: string | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private cancelled = false;
  private readonly stopping = new AbortController();

  constructor(private readonly options: AmqpIngestConsumerOptions) {}

  /** Binds and consumes on `model`; failures are logged and retried while `model` stays current. */
  async attach(model: ChannelModel): Promise<void> {
    if (this.cancelled) return;
    this.model = model;
    const { binding, logger } = this.options;
    try {
      await this.open(model);
    } catch (error) {
      logger.error(
        { queue: binding.queue, exchange: binding.exchange, err: errorMessage(error) },
        'ingest binding failed; retrying',
      );
      this.retryLater(model);
    }
  }

  private async open(model: ChannelModel): Promise<void> {
    const { binding, prefetch, deliveryLimit, deadQueue, logger } = this.options;
    const channel = await model.createChannel();
    channel.on('error', (error: Error) =>
      logger.warn({ queue: binding.queue, err: errorMessage(error) }, 'ingest channel error'),
    );
    channel.on('close', () => {
      if (this.channel !== channel) return;
      this.channel = undefined;
      this.consumerTag = undefined;
      if (!this.cancelled) this.retryLater(model);
    });
    try {
      await channel.assertQueue(binding.queue, {
        durable: true,
        arguments: {
          'x-queue-type': 'quorum',
          // A handler that keeps failing (not an invalid body) is parked after this many tries.
          'x-delivery-limit': deliveryLimit,
          'x-dead-letter-exchange': '',
          'x-dead-letter-routing-key': deadQueue,
        },
      });
      for (const key of binding.bindingKeys) await channel.bindQueue(binding.queue, binding.exchange, key);
      await channel.prefetch(prefetch);
      const reply = await channel.consume(binding.queue, (message) => this.onMessage(channel, message), {
        noAck: false,
      });
      this.channel = channel;
      this.consumerTag = reply.consumerTag;
      logger.info({ queue: binding.queue, exchange: binding.exchange }, 'ingest binding consuming');
    } catch (error) {
      await channel.close().catch(() => {});
      throw error;
    }
  }

  private retryLater(model: ChannelModel): void {
    void sleep(this.options.rebindDelayMs, undefined, { signal: this.stopping.signal }).then(
      () => {
        if (!this.cancelled && this.model === model && !this.channel) void this.attach(model);
      },
      () => undefined,
    );
  }

  /** The connection is gone; the next setup attaches again. */
  detach(model: ChannelModel): void {
    if (this.model !== model) return;
    this.model = undefined;
    this.channel = undefined;
    this.consumerTag = undefined;
  }

  async cancel(): Promise<void> {
    if (this.cancelled) return;
    this.cancelled = true;
    this.stopping.abort();
    const { channel, consumerTag } = this;
    if (channel && consumerTag)
      await withTimeout(channel.cancel(consumerTag), this.options.rpcTimeoutMs, 'ingest cancel').catch(
        () => {},
      );
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    this.channel = undefined;
    if (channel)
      await withTimeout(channel.close(), this.options.rpcTimeoutMs, 'ingest close').catch(() => {});
    this.options.onCancelled(this);
  }

  private onMessage(channel: Channel, message: ConsumeMessage | null): void {
    if (message === null) {
      // The broker cancelled us (queue deleted): bind again.
      if (this.channel === channel && !this.cancelled) {
        this.channel = undefined;
        void channel.close().catch(() => {});
        if (this.model) this.retryLater(this.model);
      }
      return;
    }
    if (this.cancelled) {
      settle(channel, message, 'requeue', this.options.logger);
      return;
    }
    const task = this.handle(channel, message);
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
  }

  private async handle(channel: Channel, message: ConsumeMessage): Promise<void> {
    const { handler, logger, binding } = this.options;
    const raw = {
      body: message.content,
      contentType: message.properties.contentType as string | undefined,
      routingKey: message.fields.routingKey,
    };
    try {
      const verdict = await handler(raw);
      if (verdict !== 'ack') await this.deadLetter(message, verdict.deadLetter, verdict.detail);
      settle(channel, message, 'ack', logger);
    } catch (error) {
      logger.warn(
        { queue: binding.queue, err: errorMessage(error), retry_in_ms: this.options.redeliveryDelayMs },
        'ingest handler failed; requeueing',
      );
      await sleep(this.options.redeliveryDelayMs, undefined, { signal: this.stopping.signal }).catch(
        () => undefined,
      );
      settle(channel, message, 'requeue', logger);
    }
  }

  private async deadLetter(message: ConsumeMessage, reason: string, detail: string): Promise<void> {
    const { binding, logger } = this.options;
    logger.error(
      { queue: binding.queue, routing_key: message.fields.routingKey, reason, err: detail },
      'invalid event dead-lettered',
    );
    await this.options.publishDead(message.content, message.properties.contentType as string | undefined, {
      ...(message.properties.headers ?? {}),
      [DEAD_REASON_HEADER]: reason,
      [DEAD_DETAIL_HEADER]: detail.slice(0, 1000),
      'x-notify-ingest-queue': binding.queue,
      'x-notify-original-exchange': message.fields.exchange,
      'x-notify-original-routing-key': message.fields.routingKey,
    });
  }
}

function settle(channel: Channel, message: ConsumeMessage, how: 'ack' | 'requeue', logger: BusLogger): void {
  try {
    if (how === 'ack') channel.ack(message);
    else channel.nack(message, false, true);
  } catch (error) {
    logger.warn({ how, err: errorMessage(error) }, 'could not settle ingest message; broker will redeliver');
  }
}

import type { Channel, ChannelModel } from 'amqplib';
import { decodeRecord } from '../../core/notification/record-json.js';
import type { ChangeListener, Subscription } from '../../core/delivery/message-bus.js';
import { errorMessage, type BusLogger } from './bus-logger.js';
import { withTimeout } from './with-timeout.js';

/**
 * Changes a slow process may have waiting in its queue; beyond it the oldest are dropped (watchers
 * re-read their records, so a dropped change costs a poll interval, never a wrong state).
 */
const MAX_QUEUED_CHANGES = 10_000;

/** What one change listener needs from the bus that owns it. */
export interface AmqpChangeListenerOptions {
  readonly exchange: string;
  readonly listener: ChangeListener;
  readonly logger: BusLogger;
  readonly rpcTimeoutMs: number;
  readonly onCancelled: (listener: AmqpChangeListener) => void;
}

/**
 * One process's subscription to the status-change fanout: a server-named exclusive, auto-delete
 * queue (gone with the connection, so a dead replica leaves nothing behind), no acks, re-declared
 * on every reconnect by the bus.
 */
export class AmqpChangeListener implements Subscription {
  private channel: Channel | undefined;
  private cancelled = false;

  constructor(private readonly options: AmqpChangeListenerOptions) {}

  /** Declares this process's queue on `model` and starts consuming it. */
  async attach(model: ChannelModel): Promise<void> {
    if (this.cancelled) return;
    const { exchange, logger, listener } = this.options;
    const channel = await model.createChannel();
    channel.on('error', (error: Error) => logger.warn({ err: errorMessage(error) }, 'change channel error'));
    try {
      const { queue } = await channel.assertQueue('', {
        exclusive: true,
        autoDelete: true,
        arguments: { 'x-max-length': MAX_QUEUED_CHANGES, 'x-overflow': 'drop-head' },
      });
      await channel.bindQueue(queue, exchange, '');
      await channel.consume(
        queue,
        (message) => {
          if (message === null) return;
          const record = decodeRecord(message.content);
          if (!record) return;
          try {
            listener(record);
          } catch (error) {
            logger.warn({ err: errorMessage(error) }, 'change listener failed');
          }
        },
        { noAck: true },
      );
      this.channel = channel;
    } catch (error) {
      await channel.close().catch(() => {});
      throw error;
    }
  }

  /** The connection is gone; its channel (and exclusive queue) went with it. */
  detach(): void {
    this.channel = undefined;
  }

  async cancel(): Promise<void> {
    if (this.cancelled) return;
    this.cancelled = true;
    const channel = this.channel;
    this.channel = undefined;
    if (channel)
      await withTimeout(channel.close(), this.options.rpcTimeoutMs, 'change channel close').catch(() => {});
    this.options.onCancelled(this);
  }
}

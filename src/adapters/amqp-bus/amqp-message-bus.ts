import { randomUUID } from 'node:crypto';
import {
  connect,
  type ChannelModel,
  type ConfirmChannel,
  type Message,
  type RecoveringChannelModel,
} from 'amqplib';
import type { NotificationRecord } from '../../core/notification/notification-record.js';
import { encodeRecord } from '../../core/notification/record-json.js';
import {
  routingKeyOf,
  type ChangeListener,
  type BusEvent,
  type BusHandler,
  type BusQueue,
  type MessageBus,
  type PublishOptions,
  type QueueDepth,
  type Subscription,
} from '../../core/delivery/message-bus.js';
import { AmqpChangeListener } from './amqp-change-listener.js';
import { AmqpConsumer } from './amqp-consumer.js';
import { AmqpIngestConsumer } from './amqp-ingest-consumer.js';
import type { IngestBinding, IngestHandler, IngestSource } from '../../core/event/ingest-source.js';
import { errorMessage, SILENT_BUS_LOGGER, type BusLogger } from './bus-logger.js';
import { encodeEvent } from './event-codec.js';
import { withTimeout } from './with-timeout.js';
import { injectTraceContext, isTracingEnabled, withSpan } from '../../core/telemetry/tracing.js';
import {
  declareDeadQueue,
  declareTopology,
  DEFAULT_DEAD_LETTER_LIMITS,
  type DeadLetterLimits,
  DEFAULT_DELIVERY_LIMIT,
  DEFAULT_RETRY_TIERS_MS,
  DELAY_TIER_HEADER,
  tierFor,
  topologyNames,
  type TopologyNames,
} from './topology.js';
import { AMQPLIB_PATCHED_VERSION, coalesceFrameWrites } from './coalesce-frame-writes.js';
import { installedPackageVersion } from '../installed-package-version.js';

/** Pause before a failed event is requeued, unless told otherwise. */
const DEFAULT_REDELIVERY_DELAY_MS = 1000;

/** Options of {@link AmqpMessageBus}. */
export interface AmqpMessageBusOptions {
  /** `amqp://user:pass@host:5672/vhost`. */
  readonly url: string;
  /** Prefixed to every exchange and queue name so tests and tenants can share a broker (default ''). */
  readonly namePrefix?: string;
  /** Delays of the retry TTL queues (default 200ms, 1s, 5s, 30s, 2m, 10m, 1h). */
  readonly retryTiersMs?: readonly number[];
  /** `x-delivery-limit` of the work queues before a message dead-letters (default 20). */
  readonly deliveryLimit?: number;
  /** Pause before an event whose handler failed goes back to its queue (default 1000 ms). */
  readonly redeliveryDelayMs?: number;
  /** Length and TTL bounds of `notify.dead` (default 10,000 messages, 7 days). */
  readonly deadLetterLimits?: DeadLetterLimits;
  /** How long publish waits for the broker's confirm, and ping for its answer (default 5000). */
  readonly publishTimeoutMs?: number;
  /** Shown in the broker's connection list (default `notify-gateway`). */
  readonly connectionName?: string;
  /** Reconnect backoff bounds in ms (default 200 and 30000, with jitter). */
  readonly reconnectDelayMs?: { readonly initial: number; readonly max: number };
  /** Connection attempts retried before `start()` gives up (default 3); reconnects never give up. */
  readonly startRetries?: number;
  readonly logger?: BusLogger;
}

/** A live connection: the model and the confirm channel every publish goes through. */
interface Live {
  readonly model: ChannelModel;
  readonly publisher: ConfirmChannel;
}

/**
 * The RabbitMQ message bus (docs/architecture.md §7): confirmed persistent publishes, TTL retry tiers, quorum work
 * queues with a delivery limit, and automatic reconnect that re-declares topology and re-subscribes.
 */
export class AmqpMessageBus implements MessageBus, IngestSource {
  private readonly names: TopologyNames;
  private readonly deliveryLimit: number;
  private readonly timeoutMs: number;
  private readonly logger: BusLogger;
  private warnedFrameWrites = false;
  private readonly consumers = new Set<AmqpConsumer>();
  private readonly changeListeners = new Set<AmqpChangeListener>();
  private readonly ingestConsumers = new Set<AmqpIngestConsumer>();
  /** messageIds of mandatory publishes awaiting their confirm; true once the broker returned one. */
  private readonly returned = new Map<string, boolean>();
  private connection: RecoveringChannelModel | undefined;
  private starting: Promise<void> | undefined;
  private live: Live | undefined;
  private closed = false;

  constructor(private readonly options: AmqpMessageBusOptions) {
    this.names = topologyNames(options.namePrefix ?? '', options.retryTiersMs ?? DEFAULT_RETRY_TIERS_MS);
    this.deliveryLimit = options.deliveryLimit ?? DEFAULT_DELIVERY_LIMIT;
    this.timeoutMs = options.publishTimeoutMs ?? 5000;
    this.logger = options.logger ?? SILENT_BUS_LOGGER;
  }

  /** Connects and declares topology; rejects after `startRetries` failed attempts. Idempotent. */
  start(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('message bus is closed'));
    this.starting ??= this.open().catch((error: unknown) => {
      this.starting = undefined;
      throw error;
    });
    return this.starting;
  }

  /**
   * Publishes persistently and resolves on the broker's confirm; rejects when disconnected, nacked,
   * unroutable, or not confirmed within `publishTimeoutMs`.
   */
  publish(event: BusEvent, options: PublishOptions = {}): Promise<void> {
    if (!isTracingEnabled()) return this.publishConfirmed(event, options);
    const attributes = {
      'messaging.system': 'rabbitmq',
      'messaging.destination.name': this.names.exchange,
      'messaging.rabbitmq.destination.routing_key': routingKeyOf(event),
    };
    return withSpan('notify.publish', { kind: 'producer', attributes }, () =>
      this.publishConfirmed(event, options),
    );
  }

  private async publishConfirmed(event: BusEvent, options: PublishOptions): Promise<void> {
    const live = this.live;
    if (this.closed || !live) throw new Error('message bus is not connected');
    await this.publishOn(live, event, options.delayMs ?? 0);
  }

  /**
   * Writes every message at once (the frame writes coalesce into few socket writes) and resolves
   * when the broker has confirmed them all; rejects with the first failure.
   */
  async publishMany(
    items: ReadonlyArray<{ readonly event: BusEvent; readonly delayMs?: number }>,
  ): Promise<void> {
    const live = this.live;
    if (this.closed || !live) throw new Error('message bus is not connected');
    const confirms = items.map(({ event, delayMs }) => this.publishOn(live, event, delayMs ?? 0));
    const results = await Promise.allSettled(confirms);
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async publishOn(live: Live, event: BusEvent, delayMs: number): Promise<void> {
    const tier = delayMs > 0 ? tierFor(delayMs, this.names.tiers) : undefined;
    const exchange = tier ? this.names.retryExchange : this.names.exchange;
    await this.publishRaw(live, exchange, routingKeyOf(event), encodeEvent(event), {
      contentType: 'application/json',
      type: event.kind,
      headers: this.headersFor(tier?.label),
    });
  }

  /** A persistent, mandatory publish on the confirm channel; resolves on the broker's confirm. */
  private async publishRaw(
    live: Live,
    exchange: string,
    routingKey: string,
    body: Buffer,
    properties: { contentType?: string; type?: string; headers: Record<string, unknown> },
  ): Promise<void> {
    const messageId = randomUUID();
    this.returned.set(messageId, false);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`publish not confirmed within ${this.timeoutMs} ms`)),
          this.timeoutMs,
        );
        const done = (error: unknown): void => {
          clearTimeout(timer);
          // amqplib reports a broker nack as `message nacked` and a lost channel as `channel closed`.
          if (error) reject(new Error(`publish not confirmed: ${errorMessage(error)}`));
          else if (this.returned.get(messageId)) reject(new Error(`publish unroutable: ${routingKey}`));
          else resolve();
        };
        try {
          // The original routing key rides along on delayed messages: the tier queue dead-letters
          // back to `notify` without a routing key of its own, so the message lands where it belongs.
          live.publisher.publish(
            exchange,
            routingKey,
            body,
            {
              persistent: true,
              mandatory: true,
              messageId,
              timestamp: Math.floor(Date.now() / 1000),
              ...properties,
            },
            done,
          );
        } catch (error) {
          done(error);
        }
      });
    } finally {
      this.returned.delete(messageId);
    }
  }

  /** The delay tier (retry exchange routing) and, when tracing, W3C `traceparent`/`tracestate`. */
  private headersFor(tierLabel: string | undefined): Record<string, unknown> {
    const headers: Record<string, unknown> = tierLabel ? { [DELAY_TIER_HEADER]: tierLabel } : {};
    injectTraceContext(headers);
    return headers;
  }

  /** Consumes `queue` with at most `prefetch` unacked events; re-subscribes after every reconnect. */
  async subscribe(
    queue: BusQueue,
    handler: BusHandler,
    options: { prefetch: number },
  ): Promise<Subscription> {
    if (this.closed || !this.connection) throw new Error('message bus is not started');
    if (!Number.isInteger(options.prefetch) || options.prefetch < 1) {
      throw new RangeError(`prefetch must be a positive integer, got ${options.prefetch}`);
    }
    const consumer = new AmqpConsumer({
      queue,
      queueName: this.names.queues[queue],
      prefetch: options.prefetch,
      handler,
      logger: this.logger,
      rpcTimeoutMs: this.timeoutMs,
      redeliveryDelayMs: this.options.redeliveryDelayMs ?? DEFAULT_REDELIVERY_DELAY_MS,
      onLost: (model, reason) => this.recover(model, reason),
      onCancelled: (c) => this.consumers.delete(c),
    });
    this.consumers.add(consumer);
    // While disconnected the consumer stays registered and attaches in the next setup.
    const live = this.live;
    if (live) {
      try {
        await consumer.attach(live.model);
      } catch (error) {
        this.consumers.delete(consumer);
        throw error;
      }
    }
    return consumer;
  }

  /** Messages in `notify.dead` now (a passive declare); throws unless connected. */
  async deadLetterDepth(): Promise<number> {
    const [dead] = await this.depthsOf([{ queue: this.names.deadQueue, dead: true }]);
    return dead?.messages ?? 0;
  }

  /**
   * Publishes the record to the `notify.changes` fanout, transient and unconfirmed: watchers repair
   * a lost change by re-reading, so the delivery path never waits on it. Dropped while disconnected.
   */
  broadcastChange(record: NotificationRecord): void {
    const live = this.live;
    if (this.closed || !live) return;
    try {
      live.publisher.publish(
        this.names.changesExchange,
        '',
        encodeRecord(record),
        { persistent: false, contentType: 'application/json', type: 'notification.changed' },
        () => undefined,
      );
    } catch (error) {
      this.logger.warn({ err: errorMessage(error) }, 'status change broadcast failed');
    }
  }

  /** Receives every broadcast change through an exclusive queue; re-declared after every reconnect. */
  async watchChanges(listener: ChangeListener): Promise<Subscription> {
    if (this.closed || !this.connection) throw new Error('message bus is not started');
    const watcher = new AmqpChangeListener({
      exchange: this.names.changesExchange,
      listener,
      logger: this.logger,
      rpcTimeoutMs: this.timeoutMs,
      onCancelled: (w) => this.changeListeners.delete(w),
    });
    this.changeListeners.add(watcher);
    const live = this.live;
    if (live) {
      try {
        await watcher.attach(live.model);
      } catch (error) {
        this.changeListeners.delete(watcher);
        throw error;
      }
    }
    return watcher;
  }

  /**
   * Consumes a queue bound to a caller's exchange (events in); binds again after every reconnect.
   * Rejected messages are copied to `notify.dead` with the reason in a header, then acked.
   */
  async consumeBinding(
    binding: IngestBinding,
    handler: IngestHandler,
    options: { prefetch: number },
  ): Promise<Subscription> {
    if (this.closed || !this.connection) throw new Error('message bus is not started');
    const consumer = new AmqpIngestConsumer({
      binding,
      handler,
      prefetch: options.prefetch,
      deliveryLimit: this.deliveryLimit,
      deadQueue: this.names.deadQueue,
      publishDead: (body, contentType, headers) => {
        const live = this.live;
        if (this.closed || !live) return Promise.reject(new Error('message bus is not connected'));
        return this.publishRaw(live, '', this.names.deadQueue, body, {
          ...(contentType !== undefined && { contentType }),
          headers,
        });
      },
      logger: this.logger,
      rpcTimeoutMs: this.timeoutMs,
      redeliveryDelayMs: this.options.redeliveryDelayMs ?? DEFAULT_REDELIVERY_DELAY_MS,
      rebindDelayMs: this.options.reconnectDelayMs?.initial ?? 1000,
      onCancelled: (c) => this.ingestConsumers.delete(c),
    });
    this.ingestConsumers.add(consumer);
    const live = this.live;
    if (live) await consumer.attach(live.model);
    return consumer;
  }

  /** Throws unless connected and the broker answers within the timeout (readiness). */
  async ping(): Promise<void> {
    const live = this.live;
    if (this.closed || !live) throw new Error('message bus is not connected');
    await withTimeout(live.publisher.checkExchange(this.names.exchange), this.timeoutMs, 'broker ping');
  }

  /** Each queue's depth by a passive declare (checkQueue) on a channel of its own. */
  async queueDepths(): Promise<QueueDepth[]> {
    return this.depthsOf([
      ...Object.values(this.names.queues).map((queue) => ({ queue, dead: false })),
      ...this.names.tiers.map((tier) => ({ queue: tier.queue, dead: false })),
      { queue: this.names.deadQueue, dead: true },
    ]);
  }

  /** Depths by passive declares (checkQueue) on a channel of their own. */
  private async depthsOf(queues: ReadonlyArray<{ queue: string; dead: boolean }>): Promise<QueueDepth[]> {
    const live = this.live;
    if (this.closed || !live) throw new Error('message bus is not connected');
    // Not the publisher: a checkQueue on a missing queue closes its channel, and the publisher's
    // close would trigger a reconnect of the whole bus.
    const channel = await withTimeout(live.model.createChannel(), this.timeoutMs, 'queue depth channel');
    channel.on('error', () => {});
    try {
      const depths: QueueDepth[] = [];
      for (const { queue, dead } of queues) {
        const reply = await withTimeout(channel.checkQueue(queue), this.timeoutMs, 'queue depth');
        depths.push({ queue, messages: reply.messageCount, dead });
      }
      return depths;
    } finally {
      await channel.close().catch(() => {});
    }
  }

  /** Cancels every consumer (waiting for in-flight handlers to ack), then closes the connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.starting?.catch(() => {});
    await Promise.all([...this.consumers, ...this.ingestConsumers].map((consumer) => consumer.cancel()));
    await Promise.all([...this.changeListeners].map((watcher) => watcher.cancel()));
    this.live = undefined;
    // Bounded: against a frozen link the close handshake would wait for the heartbeat to time out.
    await withTimeout(this.connection?.close() ?? Promise.resolve(), this.timeoutMs, 'amqp close').catch(
      (error: unknown) => this.logger.warn({ err: errorMessage(error) }, 'amqp close did not complete'),
    );
    this.connection = undefined;
  }

  private async open(): Promise<void> {
    const delays = this.options.reconnectDelayMs ?? { initial: 200, max: 30_000 };
    const connection = await connect(this.options.url, {
      clientProperties: { connection_name: this.options.connectionName ?? 'notify-gateway' },
      timeout: this.timeoutMs,
      recovery: {
        initialDelay: delays.initial,
        maxDelay: delays.max,
        initialMaxRetries: this.options.startRetries ?? 3,
        maxRetries: Infinity,
        setup: (model: ChannelModel) => this.setup(model),
      },
    });
    connection.on('error', (error: Error) =>
      this.logger.warn({ err: errorMessage(error) }, 'amqp connection error'),
    );
    connection.on('disconnect', (error: Error) =>
      this.logger.warn({ err: errorMessage(error) }, 'amqp disconnected'),
    );
    connection.on('connect', () => this.logger.info({}, 'amqp connected'));
    connection.on('reconnect-scheduled', (info: { attempt: number; delay: number; error: Error }) =>
      this.logger.warn(
        { attempt: info.attempt, delay_ms: info.delay, err: errorMessage(info.error) },
        'amqp reconnect scheduled',
      ),
    );
    connection.on('reconnect-failed', (error: Error) =>
      this.logger.error({ err: errorMessage(error) }, 'amqp reconnect gave up'),
    );
    connection.on('blocked', (reason: string) =>
      this.logger.warn({ reason }, 'amqp connection blocked by broker'),
    );
    this.connection = connection;
    if (this.closed) await connection.close();
  }

  /** Runs after every (re)connect, before the connection is handed out: topology, then consumers. */
  private async setup(model: ChannelModel): Promise<void> {
    // Recovery binds its own listeners only after setup; an unlistened 'error' would crash the process.
    model.on('error', () => {});
    if (!coalesceFrameWrites(model) && !this.warnedFrameWrites) {
      // Once per bus, not per reconnect: the installed amqplib does not change while running.
      this.warnedFrameWrites = true;
      this.logger.warn(
        { amqplib_version: installedPackageVersion('amqplib'), patched_version: AMQPLIB_PATCHED_VERSION },
        'amqplib is not the version frame-write coalescing was written against (or its internals changed): patch disabled, frames are written one by one (slower, still correct)',
      );
    }
    const publisher = await model.createConfirmChannel();
    publisher.on('error', (error: Error) =>
      this.logger.warn({ err: errorMessage(error) }, 'publish channel error'),
    );
    publisher.on('return', (message: Message) => {
      const id = message.properties.messageId as unknown;
      if (typeof id === 'string' && this.returned.has(id)) this.returned.set(id, true);
    });
    publisher.on('close', () => this.recover(model, 'publish channel closed'));
    model.on('close', () => {
      if (this.live?.model === model) this.live = undefined;
      for (const consumer of this.consumers) consumer.detach(model);
      for (const watcher of this.changeListeners) watcher.detach();
      for (const consumer of this.ingestConsumers) consumer.detach(model);
    });
    await declareDeadQueue(
      model,
      this.names,
      this.options.deadLetterLimits ?? DEFAULT_DEAD_LETTER_LIMITS,
      (fields, message) => this.logger.warn(fields, message),
    );
    await declareTopology(publisher, this.names, this.deliveryLimit);
    for (const consumer of this.consumers) await consumer.attach(model);
    for (const watcher of this.changeListeners) await watcher.attach(model);
    this.live = { model, publisher };
    // Caller-owned exchanges may be missing: their consumers retry on their own, never failing setup.
    for (const consumer of this.ingestConsumers) void consumer.attach(model);
  }

  /**
   * A channel died or a consumer was cancelled while the connection stayed up (a queue or exchange
   * was deleted): closing the connection sends everything through the one recovery path, which
   * re-declares the topology and re-subscribes every consumer with backoff.
   */
  private recover(model: ChannelModel, reason: string): void {
    // Deferred: when the whole connection drops, channels report 'close' before the connection
    // does; by the next turn the connection's own handler has run and there is nothing to do.
    setImmediate(() => {
      if (this.closed || this.live?.model !== model) return;
      this.live = undefined;
      this.logger.warn({ reason }, 'amqp channel lost; reconnecting to re-declare topology');
      model.close().catch(() => {});
    });
  }
}

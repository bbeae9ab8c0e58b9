import { connect, type GetMessage } from 'amqplib';
import { DEFAULT_RETRY_TIERS_MS, topologyNames } from './topology.js';

/** Where a broker-backed gateway's queues are: its URL, name prefix and retry tiers. */
export interface QueueAdminTarget {
  readonly url: string;
  readonly namePrefix: string;
  readonly retryTiersMs?: readonly number[];
}

/** Messages waiting in one queue. */
export interface QueueDepth {
  readonly queue: string;
  readonly messages: number;
  readonly consumers: number;
}

/** One message parked in `notify.dead`, as an operator sees it. */
export interface DeadLetter {
  /** The routing key it was first published with (from its `x-death` header). */
  readonly routingKey: string;
  readonly type: string;
  /** Why it died the last time: `delivery_limit`, `rejected`, `expired`, … */
  readonly reason: string;
  readonly body: string;
}

interface DeathEntry {
  readonly reason?: unknown;
  readonly 'routing-keys'?: unknown;
}

function deathOf(message: GetMessage): { routingKey: string; reason: string } {
  const deaths = message.properties.headers?.['x-death'] as DeathEntry[] | undefined;
  const first = deaths?.[0];
  const keys = first?.['routing-keys'];
  const routingKey = Array.isArray(keys) && typeof keys[0] === 'string' ? keys[0] : message.fields.routingKey;
  return { routingKey, reason: typeof first?.reason === 'string' ? first.reason : 'unknown' };
}

/** Message and consumer counts of the work, dead and retry-tier queues. */
export async function queueDepths(target: QueueAdminTarget): Promise<QueueDepth[]> {
  const names = topologyNames(target.namePrefix, target.retryTiersMs ?? DEFAULT_RETRY_TIERS_MS);
  const queues = [
    names.queues.deliver,
    names.queues.schedule,
    names.deadQueue,
    ...names.tiers.map((t) => t.queue),
  ];
  const connection = await connect(target.url);
  try {
    const depths: QueueDepth[] = [];
    for (const queue of queues) {
      // A channel per check: checkQueue on a missing queue closes its channel.
      const channel = await connection.createChannel();
      try {
        const info = await channel.checkQueue(queue);
        depths.push({ queue, messages: info.messageCount, consumers: info.consumerCount });
        await channel.close();
      } catch {
        depths.push({ queue, messages: -1, consumers: 0 });
      }
    }
    return depths;
  } finally {
    await connection.close();
  }
}

/**
 * Reads up to `limit` messages of `notify.dead`. Without `requeue` they go back to `notify.dead`
 * unchanged (the channel closes unacked); with it each is republished to the `notify` exchange under
 * its original routing key (confirmed) and only then removed from `notify.dead`.
 */
export async function drainDeadLetters(
  target: QueueAdminTarget,
  options: { readonly limit: number; readonly requeue: boolean },
): Promise<DeadLetter[]> {
  const names = topologyNames(target.namePrefix, target.retryTiersMs ?? DEFAULT_RETRY_TIERS_MS);
  const connection = await connect(target.url);
  try {
    const channel = await connection.createConfirmChannel();
    // Only the messages there now: a requeued message that dies again comes back behind them, and
    // reading on would requeue it round and round.
    const { messageCount } = await channel.checkQueue(names.deadQueue);
    const letters: DeadLetter[] = [];
    while (letters.length < Math.min(options.limit, messageCount)) {
      const message = await channel.get(names.deadQueue, { noAck: false });
      if (message === false) break;
      const { routingKey, reason } = deathOf(message);
      letters.push({
        routingKey,
        reason,
        type: typeof message.properties.type === 'string' ? message.properties.type : '',
        body: message.content.toString('utf8'),
      });
      if (options.requeue) {
        await new Promise<void>((resolve, reject) => {
          channel.publish(
            names.exchange,
            routingKey,
            message.content,
            {
              persistent: true,
              contentType: message.properties.contentType as string | undefined,
              type: message.properties.type as string | undefined,
              messageId: message.properties.messageId as string | undefined,
            },
            (error) => (error ? reject(new Error('requeue publish not confirmed')) : resolve()),
          );
        });
        channel.ack(message);
      }
    }
    await channel.close();
    return letters;
  } finally {
    await connection.close();
  }
}

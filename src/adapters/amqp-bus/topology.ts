import { connect, type Channel, type ChannelModel } from 'amqplib';
import type { BusQueue } from '../../core/delivery/message-bus.js';

/** Default retry tiers (ms): 200ms, 1s, 5s, 30s, 2m, 10m, 1h. */
export const DEFAULT_RETRY_TIERS_MS: readonly number[] = [200, 1000, 5000, 30000, 120000, 600000, 3600000];

/** Default `x-delivery-limit` of the work queues. */
export const DEFAULT_DELIVERY_LIMIT = 20;

/**
 * Header the `notify.retry` headers exchange routes on. Not `x-delay-tier`: a headers exchange
 * ignores binding keys that start with `x-`, so such a binding matches every message and each
 * delayed publish would land in every tier queue (and come back once per tier).
 */
export const DELAY_TIER_HEADER = 'notify-delay-tier';

/** One TTL queue of the retry ladder. */
export interface RetryTier {
  readonly ms: number;
  /** `200ms`, `1s`, `2m`, `1h`: the queue suffix and the header value. */
  readonly label: string;
  readonly queue: string;
}

/** Every exchange and queue name of one (prefixed) topology, per docs/architecture.md §7. */
export interface TopologyNames {
  readonly exchange: string;
  readonly retryExchange: string;
  /** Fanout exchange of status changes (WatchNotifications); each api process binds its own queue. */
  readonly changesExchange: string;
  readonly queues: Readonly<Record<BusQueue, string>>;
  readonly deadQueue: string;
  /** Ascending by delay. */
  readonly tiers: readonly RetryTier[];
}

/** Binding pattern of each work queue on the topic exchange. */
export const QUEUE_BINDINGS: Readonly<Record<BusQueue, string>> = {
  deliver: 'notification.*.requested',
  schedule: 'active_schedule.triggered',
};

/** The names of a topology under `prefix`; throws on an empty or non-positive tier list. */
export function topologyNames(prefix: string, retryTiersMs: readonly number[]): TopologyNames {
  const sorted = [...new Set(retryTiersMs)].sort((a, b) => a - b);
  if (sorted.length === 0 || sorted.some((ms) => !Number.isInteger(ms) || ms <= 0)) {
    throw new RangeError(`retryTiersMs must be positive integers, got [${retryTiersMs.join(', ')}]`);
  }
  return {
    exchange: `${prefix}notify`,
    retryExchange: `${prefix}notify.retry`,
    changesExchange: `${prefix}notify.changes`,
    queues: { deliver: `${prefix}notify.deliver`, schedule: `${prefix}notify.schedule` },
    deadQueue: `${prefix}notify.dead`,
    tiers: sorted.map((ms) => ({
      ms,
      label: tierLabel(ms),
      queue: `${prefix}notify.retry.${tierLabel(ms)}`,
    })),
  };
}

/** `3600000` → `1h`, `120000` → `2m`, `5000` → `5s`, `200` → `200ms`. */
export function tierLabel(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** The largest tier not longer than `delayMs`, or the smallest tier when `delayMs` is below it. */
export function tierFor(delayMs: number, tiers: readonly RetryTier[]): RetryTier {
  let chosen = tiers[0];
  for (const tier of tiers) if (tier.ms <= delayMs) chosen = tier;
  if (!chosen) throw new RangeError('no retry tiers');
  return chosen;
}

/** Bounds of `notify.dead`, so a poison stream cannot fill the broker. */
export interface DeadLetterLimits {
  /** Messages kept; beyond it the oldest are dropped (`x-overflow: drop-head`). */
  readonly maxLength: number;
  /** Milliseconds a message is kept. */
  readonly ttlMs: number;
}

/** Default {@link DeadLetterLimits}: 10,000 messages, 7 days. */
export const DEFAULT_DEAD_LETTER_LIMITS: DeadLetterLimits = { maxLength: 10_000, ttlMs: 604_800_000 };

/** AMQP reply code when a redeclare's arguments differ from the existing queue's. */
const PRECONDITION_FAILED = 406;

/**
 * Declares `notify.dead` with its bounds on a channel of its own. A queue declared by an older
 * version without them cannot be changed by a redeclare (the broker answers PRECONDITION_FAILED and
 * closes the channel): the gateway keeps using it as it is and says how to bound it with a policy,
 * which applies to an existing queue (`rabbitmqctl set_policy … '{"max-length":…,"message-ttl":…}'`).
 * Returns false in that case.
 */
export async function declareDeadQueue(
  model: ChannelModel,
  names: TopologyNames,
  limits: DeadLetterLimits,
  warn: (fields: Record<string, unknown>, message: string) => void,
): Promise<boolean> {
  const channel = await model.createChannel();
  channel.on('error', () => {});
  try {
    await channel.assertQueue(names.deadQueue, {
      durable: true,
      arguments: {
        'x-max-length': limits.maxLength,
        'x-message-ttl': limits.ttlMs,
        'x-overflow': 'drop-head',
      },
    });
  } catch (error) {
    if ((error as { code?: unknown }).code !== PRECONDITION_FAILED) throw error;
    const policy = JSON.stringify({ 'max-length': limits.maxLength, 'message-ttl': limits.ttlMs });
    warn(
      { queue: names.deadQueue, policy },
      `${names.deadQueue} exists without length and TTL bounds (declared by an older version); bound it with ` +
        `rabbitmqctl set_policy notify-dead '^${names.deadQueue.replace(/\./g, '\\.')}$' '${policy}' --apply-to queues`,
    );
    return false;
  }
  await channel.close().catch(() => {});
  return true;
}

/** Declares (idempotently) every exchange, queue and binding but `notify.dead` ({@link declareDeadQueue}). */
export async function declareTopology(
  channel: Channel,
  names: TopologyNames,
  deliveryLimit: number,
): Promise<void> {
  await channel.assertExchange(names.exchange, 'topic', { durable: true });
  await channel.assertExchange(names.retryExchange, 'headers', { durable: true });
  await channel.assertExchange(names.changesExchange, 'fanout', { durable: true });
  // Present (declared by declareDeadQueue, with or without bounds) before anything dead-letters to it.
  await channel.checkQueue(names.deadQueue);
  // Quorum queues on 3.10 have no default delivery limit, and dead-lettering is at-most-once unless
  // the at-least-once strategy is paired with reject-publish overflow (docs/architecture.md §8).
  const workArguments = {
    'x-queue-type': 'quorum',
    'x-delivery-limit': deliveryLimit,
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': names.deadQueue,
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  };
  for (const queue of ['deliver', 'schedule'] as const) {
    await channel.assertQueue(names.queues[queue], { durable: true, arguments: workArguments });
    await channel.bindQueue(names.queues[queue], names.exchange, QUEUE_BINDINGS[queue]);
  }
  for (const tier of names.tiers) {
    // One queue per delay keeps each queue FIFO by expiry (a per-queue TTL expires only at the head).
    // No dead-letter routing key: the message returns to `notify` under its original routing key.
    await channel.assertQueue(tier.queue, {
      durable: true,
      arguments: { 'x-message-ttl': tier.ms, 'x-dead-letter-exchange': names.exchange },
    });
    await channel.bindQueue(tier.queue, names.retryExchange, '', {
      'x-match': 'all',
      [DELAY_TIER_HEADER]: tier.label,
    });
  }
}

/**
 * Deletes every queue and exchange of the topology under `namePrefix` (tests clean up with it).
 * Refuses an empty prefix so it can never remove the production topology.
 */
export async function deleteTopology(
  url: string,
  namePrefix: string,
  retryTiersMs: readonly number[] = DEFAULT_RETRY_TIERS_MS,
): Promise<void> {
  if (namePrefix === '') throw new Error('deleteTopology needs a non-empty namePrefix');
  const names = topologyNames(namePrefix, retryTiersMs);
  const connection = await connect(url);
  try {
    const channel = await connection.createChannel();
    const queues = [...Object.values(names.queues), names.deadQueue, ...names.tiers.map((t) => t.queue)];
    for (const queue of queues) await channel.deleteQueue(queue);
    for (const exchange of [names.exchange, names.retryExchange, names.changesExchange])
      await channel.deleteExchange(exchange);
    await channel.close();
  } finally {
    await connection.close();
  }
}

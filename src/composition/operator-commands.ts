import { parseArgs } from 'node:util';
import { openBus } from '../adapters/open-bus.js';
import { drainDeadLetters, queueDepths } from '../adapters/amqp-bus/queue-admin.js';
import { createChannelRegistry } from '../core/channels/channel-registry.js';
import type { GatewayConfig } from '../core/config/gateway-config.js';
import { BulkRedrive } from '../core/notification/bulk-redrive.js';
import { NotificationChanges } from '../core/notification/notification-changes.js';
import { systemClock } from '../core/shared/clock.js';
import { GatewayError } from '../core/shared/gateway-error.js';
import type { Logger } from '../core/shared/logger.js';
import { openDatabase } from '../adapters/sql-store/open-store.js';
import { BUILTIN_PLUGINS } from '../server.js';

/** A usage error of an operator command: exit code 64 with the message. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Writes one line of a command's output. */
export type Print = (line: string) => void;

/** `30s`, `15m`, `1h`, `7d` → milliseconds. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) throw new UsageError(`${option}: expected a duration such as 30m, 1h or 7d, got "${text}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
    match[2] as 'ms' | 's' | 'm' | 'h' | 'd'
  ];
  return Number(match[1]) * unit;
}

function isBroker(config: GatewayConfig): boolean {
  return config.broker.url !== 'memory';
}

/**
 * `notify-gateway redrive --status dead [--status failed] [--since 1h] [--until 10m] [--channel id]
 * [--error-code code] [--user-id id] [--limit n] [--dry-run]`: a bulk redrive against the configured
 * database and broker (the RedriveNotifications RPC without a running api).
 */
export async function redriveCommand(
  argv: readonly string[],
  config: GatewayConfig,
  logger: Logger,
  print: Print,
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      status: { type: 'string', multiple: true },
      since: { type: 'string' },
      until: { type: 'string' },
      channel: { type: 'string' },
      'error-code': { type: 'string' },
      'user-id': { type: 'string' },
      limit: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const statuses = (values.status ?? ['dead'])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim().toLowerCase());
  for (const status of statuses) {
    if (status !== 'dead' && status !== 'failed')
      throw new UsageError(`--status: "${status}" is not dead or failed`);
  }
  const limit = values.limit === undefined ? 0 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 0) throw new UsageError('--limit: expected a non-negative integer');
  const now = Date.now();
  const database = await openDatabase(config.database.url, 2, logger);
  const bus = openBus(config.broker, logger);
  const channels = await createChannelRegistry(config.channels, BUILTIN_PLUGINS, (channel) => ({
    channel,
    logger: logger.child({ channel }),
    now: () => new Date(),
  }));
  try {
    await bus.start();
    const redrive = new BulkRedrive({
      redrives: database.redrives,
      store: database.notifications,
      bus,
      channels,
      clock: systemClock,
      logger,
      maxAttempts: config.retry.maxAttempts,
      changes: new NotificationChanges({ bus, logger }),
    });
    const result = await redrive
      .run({
        statuses: statuses as ('dead' | 'failed')[],
        channel: values.channel,
        errorCode: values['error-code'],
        userId: values['user-id'],
        createdAfter: values.since ? new Date(now - parseDuration(values.since, '--since')) : undefined,
        createdBefore: values.until ? new Date(now - parseDuration(values.until, '--until')) : undefined,
        dryRun: values['dry-run'],
        limit,
      })
      .catch((error: unknown) => {
        throw error instanceof GatewayError ? new UsageError(error.message) : error;
      });
    if (values['dry-run']) print(`matched ${result.matchedCount} (dry run: nothing changed)`);
    else print(`matched ${result.matchedCount}, redriven ${result.redrivenCount}`);
    if (result.sampleIds.length > 0) print(`sample: ${result.sampleIds.join(' ')}`);
    if (result.flaggedCount > 0) {
      print(
        `flagged ${result.flaggedCount} (outcome unknown, older than the provider's idempotency window: ` +
          `a redrive may deliver twice): ${result.flaggedIds.join(' ')}`,
      );
    }
    return 0;
  } finally {
    await bus.close();
    await channels.close();
    await database.close();
  }
}

/**
 * `notify-gateway dead-letters [--limit n] [--requeue]`: prints the messages parked in `notify.dead`
 * (one JSON line each); `--requeue` republishes them to their original routing key.
 */
export async function deadLettersCommand(
  argv: readonly string[],
  config: GatewayConfig,
  print: Print,
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: { limit: { type: 'string', default: '100' }, requeue: { type: 'boolean', default: false } },
    strict: true,
  });
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit: expected a positive integer');
  if (!isBroker(config)) {
    print('broker.url is memory: dead letters live inside the running gateway process only');
    return 0;
  }
  const letters = await drainDeadLetters(
    {
      url: config.broker.url,
      namePrefix: config.broker.namePrefix,
      retryTiersMs: config.broker.retryTiersMs,
    },
    { limit, requeue: values.requeue },
  );
  for (const letter of letters) {
    print(
      JSON.stringify({
        routing_key: letter.routingKey,
        type: letter.type,
        reason: letter.reason,
        body: letter.body,
      }),
    );
  }
  print(
    values.requeue ? `requeued ${letters.length}` : `dead letters: ${letters.length} shown (left in place)`,
  );
  return 0;
}

/** `notify-gateway status`: record counts by status and channel, then queue depths. */
export async function statusCommand(config: GatewayConfig, logger: Logger, print: Print): Promise<number> {
  const database = await openDatabase(config.database.url, 1, logger);
  try {
    const counts = await database.redrives.countByStatusAndChannel();
    print('records (status, channel, count):');
    for (const row of counts) print(`  ${row.status}\t${row.channel || '-'}\t${row.count}`);
    if (counts.length === 0) print('  (none)');
  } finally {
    await database.close();
  }
  if (!isBroker(config)) {
    print('queues: broker.url is memory (in-process; nothing to inspect from outside)');
    return 0;
  }
  const depths = await queueDepths({
    url: config.broker.url,
    namePrefix: config.broker.namePrefix,
    retryTiersMs: config.broker.retryTiersMs,
  });
  print('queues (name, messages, consumers):');
  for (const depth of depths) {
    print(`  ${depth.queue}\t${depth.messages < 0 ? 'missing' : depth.messages}\t${depth.consumers}`);
  }
  return 0;
}

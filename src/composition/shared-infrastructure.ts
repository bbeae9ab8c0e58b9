import { openBus } from '../adapters/open-bus.js';
import { GatewayMetrics } from '../adapters/metrics/gateway-metrics.js';
import { countByStatus } from '../adapters/sql-store/count-by-status.js';
import { assertMigrated, openDatabase, type OpenDatabase } from '../adapters/sql-store/open-store.js';
import { createChannelRegistry, type ChannelRegistry } from '../core/channels/channel-registry.js';
import type { GatewayConfig } from '../core/config/gateway-config.js';
import type { ChannelPlugin } from '../core/contract/index.js';
import type { MessageBus } from '../core/delivery/message-bus.js';
import { createSecretBox } from '../core/secrets/create-secret-box.js';
import type { Clock } from '../core/shared/clock.js';
import type { Logger } from '../core/shared/logger.js';
import { UserConfigService } from '../core/user-config/user-config-service.js';
import type { Closers } from './closers.js';
import { CallbackOutbox } from '../core/callbacks/callback-outbox.js';
import { NotificationChanges } from '../core/notification/notification-changes.js';

/** What both the api side and the worker side of one process are built from. */
export interface SharedInfrastructure {
  readonly config: GatewayConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly channels: ChannelRegistry;
  /** The API's pool; present in api and all modes. */
  readonly apiDb: OpenDatabase | undefined;
  /** The worker's pool; present in worker and all modes. */
  readonly workerDb: OpenDatabase | undefined;
  readonly bus: MessageBus;
  readonly metrics: GatewayMetrics;
  readonly closers: Closers;
  /** The user-config service over one side's pool. */
  userConfigs(db: OpenDatabase): UserConfigService;
  /** Where one side reports committed status changes: watchers (bus broadcast) and the callbacks' outbox. */
  changes(db: OpenDatabase): NotificationChanges;
}

export interface SharedInfrastructureOptions {
  readonly config: GatewayConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly plugins: readonly ChannelPlugin<unknown>[];
  readonly runsApi: boolean;
  readonly runsWorker: boolean;
  /** `NOTIFY_SECRET_KEYS` (id:base64key, newest first). */
  readonly secretKeys: string | undefined;
}

/**
 * Opens, in order, the channels, one database pool per side that runs, the bus, metrics and the
 * secret box; each is registered in `closers` as soon as it is open, so a later failure closes it.
 */
export async function openSharedInfrastructure(
  options: SharedInfrastructureOptions,
  closers: Closers,
): Promise<SharedInfrastructure> {
  const { config, clock, logger } = options;
  const channels = await createChannelRegistry(config.channels, options.plugins, (channel) => ({
    channel,
    logger: logger.child({ channel }),
    now: () => clock.now(),
  }));
  closers.push(() => channels.close());
  // Separate pools: under overload API inserts must not starve the worker's updates.
  const apiDb = options.runsApi ? await openPool(config, logger, closers) : undefined;
  const workerDb = options.runsWorker ? await openPool(config, logger, closers) : undefined;
  const anyDb = apiDb ?? workerDb;
  if (anyDb) await assertMigrated(anyDb);
  const bus = openBus(config.broker, logger);
  await bus.start();
  closers.push(() => bus.close());
  // Database and broker gauges come from the api only: a worker exporting them too would make every
  // sum over scrape targets count each record twice.
  const metrics = new GatewayMetrics(
    apiDb
      ? {
          countByStatus: () => countByStatus(apiDb.dataSource),
          // One passive declare per scrape, not one per queue.
          deadLetterDepth: () => bus.deadLetterDepth(),
        }
      : {},
  );
  const box = createSecretBox(config, options.secretKeys, logger);
  return {
    config,
    clock,
    logger,
    channels,
    apiDb,
    workerDb,
    bus,
    metrics,
    closers,
    userConfigs: (db) =>
      new UserConfigService({
        store: db.userConfigs,
        box,
        channels,
        clock,
        sendTimeoutMs: config.worker.sendTimeoutMs,
        maxTextLength: config.delivery.maxTextLength,
      }),
    changes: (db) =>
      new NotificationChanges({
        bus,
        logger: logger.child({ component: 'changes' }),
        outbox:
          config.callbacks.length > 0
            ? new CallbackOutbox({ store: db.callbacks, callbacks: config.callbacks, clock })
            : undefined,
      }),
  };
}

async function openPool(config: GatewayConfig, logger: Logger, closers: Closers): Promise<OpenDatabase> {
  const db = await openDatabase(config.database.url, config.database.poolSize, logger);
  closers.push(() => db.close());
  return db;
}

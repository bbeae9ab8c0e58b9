import { hostname } from 'node:os';
import type { ConnectRouter } from '@connectrpc/connect';
import { ConfigService } from './gen/notify/v1/config_service_pb.js';
import { NotificationService } from './gen/notify/v1/notification_service_pb.js';
import { ScheduleService } from './gen/notify/v1/schedule_service_pb.js';
import type { MessageBus } from './core/bus/message-bus.js';
import { openBus } from './core/bus/open-bus.js';
import type { GatewayConfig } from './core/config/gateway-config.js';
import { ConfigError, type ChannelPlugin } from './core/contract/index.js';
import { DeliveryWorker } from './core/delivery/delivery-worker.js';
import { GatewayMetrics } from './core/metrics/gateway-metrics.js';
import { countByStatus } from './core/store/typeorm/count-by-status.js';
import { TriggerService } from './core/delivery/trigger-service.js';
import { NotificationQueries } from './core/notification/notification-queries.js';
import { createChannelRegistry, type ChannelRegistry } from './core/channels/channel-registry.js';
import { createAuthInterceptor, isLoopbackHost } from './core/rpc/auth-interceptor.js';
import { createErrorLoggingInterceptor } from './core/rpc/error-logging-interceptor.js';
import { registerHealthService } from './core/rpc/health/health-service.js';
import { HealthStatusBoard } from './core/rpc/health/health-status-board.js';
import { createNotificationServiceHandler } from './core/rpc/notification-service-handler.js';
import { createScheduleServiceHandler } from './core/rpc/schedule-service-handler.js';
import { createGatewayScanner } from './core/scanner/create-scanner.js';
import type { Scanner } from './core/scanner/scanner.js';
import { JobScheduler } from './core/schedule/job-scheduler.js';
import { ScheduledJobRunner } from './core/schedule/scheduled-job-runner.js';
import { registerReflection } from './core/rpc/register-reflection.js';
import { startRpcListener, type RpcListener } from './core/rpc/transport/rpc-listener.js';
import { systemClock, type Clock } from './core/shared/clock.js';
import { createLogger, type Logger } from './core/shared/logger.js';
import { assertMigrated, openDatabase, type OpenDatabase } from './core/store/open-store.js';
import { createConfigServiceHandler } from './core/rpc/config-service-handler.js';
import { createSecretBox } from './core/secrets/create-secret-box.js';
import { operationalRoutes } from './core/rpc/operational-routes.js';
import { UserConfigService } from './core/user-config/user-config-service.js';
import { feishuOpenidPlugin } from './plugins/feishu-openid/index.js';
import { feishuWebhookPlugin } from './plugins/feishu-webhook/index.js';
import { mockPlugin } from './plugins/mock/index.js';

/** Which parts run in this process (DESIGN §1). */
export type GatewayMode = 'api' | 'worker' | 'all';

/** Plugins available by id without a module path. */
export const BUILTIN_PLUGINS: readonly ChannelPlugin<unknown>[] = [
  feishuWebhookPlugin,
  feishuOpenidPlugin,
  mockPlugin,
];

export interface GatewayOptions {
  readonly config: GatewayConfig;
  readonly mode: GatewayMode;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** `NOTIFY_SECRET_KEYS` (id:base64key, newest first); defaults to the environment's. */
  readonly secretKeys?: string;
}

/** A running gateway process; `stop()` drains and closes everything. */
export interface RunningGateway {
  /** The listening port: RPCs in api/all mode, health and metrics in worker mode with worker.httpPort; else 0. */
  readonly port: number;
  readonly channels: ChannelRegistry;
  readonly bus: MessageBus;
  readonly worker: DeliveryWorker | undefined;
  /** Due jobs, outbox relay and lease recovery (worker and all modes). */
  readonly scanner: Scanner | undefined;
  stop(): Promise<void>;
}

/** Refuse to serve a non-loopback address without API keys unless config says so explicitly. */
function assertAuthSafe(config: GatewayConfig): void {
  if (config.auth.apiKeys.length > 0 || config.auth.allowAnonymous || isLoopbackHost(config.server.host))
    return;
  throw new ConfigError(
    'auth.apiKeys',
    `server.host ${config.server.host} is not loopback: configure API keys, or set auth.allowAnonymous: true`,
  );
}

/**
 * The composition root: config → plugins → store → bus → core → listen. Nothing in src/core
 * knows which plugins exist; they are handed in here.
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { config, mode } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.log.level);
  const runsApi = mode !== 'worker';
  const runsWorker = mode !== 'api';
  if (runsApi) assertAuthSafe(config);
  const channels = await createChannelRegistry(config.channels, BUILTIN_PLUGINS, (channel) => ({
    channel,
    logger: logger.child({ channel }),
    now: () => clock.now(),
  }));
  const closers: Array<() => Promise<void>> = [() => channels.close()];
  const cleanup = async () => {
    for (const close of closers.reverse())
      await close().catch((error: unknown) => logger.error({ err: error }, 'close failed'));
  };
  try {
    // Separate pools: under overload API inserts must not starve the worker's updates (DESIGN §11).
    const apiDb: OpenDatabase | undefined = runsApi
      ? await openDatabase(config.database.url, config.database.poolSize, logger)
      : undefined;
    if (apiDb) closers.push(() => apiDb.close());
    const workerDb: OpenDatabase | undefined = runsWorker
      ? await openDatabase(config.database.url, config.database.poolSize, logger)
      : undefined;
    if (workerDb) closers.push(() => workerDb.close());
    const anyDb = apiDb ?? workerDb;
    if (anyDb) await assertMigrated(anyDb);
    const bus = openBus(config.broker, logger);
    await bus.start();
    closers.push(() => bus.close());
    const metrics = new GatewayMetrics(anyDb ? () => countByStatus(anyDb.dataSource) : undefined, () =>
      bus.deadLetterDepth(),
    );
    const box = createSecretBox(config, options.secretKeys ?? process.env.NOTIFY_SECRET_KEYS, logger);
    const configsFor = (db: OpenDatabase) =>
      new UserConfigService({
        store: db.userConfigs,
        box,
        channels,
        clock,
        sendTimeoutMs: config.worker.sendTimeoutMs,
      });
    let worker: DeliveryWorker | undefined;
    let scanner: Scanner | undefined;
    if (workerDb) {
      // What deliveries and fired jobs both need: the worker's pool, the bus, channels, settings.
      const workerSide = {
        store: workerDb.notifications,
        bus,
        channels,
        settings: configsFor(workerDb),
        config,
        clock,
      };
      worker = new DeliveryWorker({
        ...workerSide,
        logger: logger.child({ component: 'worker' }),
        workerId: `${hostname()}:${process.pid}`,
        observer: metrics,
      });
      await worker.start();
      const started = worker;
      closers.push(() => started.stop(config.server.shutdownGraceMs));
      // Fired jobs go through the same trigger path (and dedupe) as the Trigger RPC.
      const firedTriggers = new TriggerService({
        ...workerSide,
        logger: logger.child({ component: 'schedule' }),
      });
      const jobRunner = new ScheduledJobRunner({
        jobs: workerDb.jobs,
        triggers: firedTriggers,
        bus,
        logger: logger.child({ component: 'schedule' }),
        prefetch: config.broker.prefetch,
      });
      await jobRunner.start();
      // Closers run in reverse: the runner stops first, then its last publishes are awaited.
      closers.push(() => firedTriggers.drain());
      closers.push(() => jobRunner.stop());
      scanner = createGatewayScanner({
        jobs: workerDb.jobs,
        maintenance: workerDb.maintenance,
        bus,
        channels,
        config,
        logger: logger.child({ component: 'scanner' }),
      });
      scanner.start();
      const scanning = scanner;
      closers.push(() => scanning.stop());
    }
    let listener: RpcListener | undefined;
    if (apiDb) {
      const health = new HealthStatusBoard();
      const userConfigs = configsFor(apiDb);
      const triggers = new TriggerService({
        store: apiDb.notifications,
        bus,
        channels,
        settings: userConfigs,
        config,
        clock,
        logger,
        observer: metrics,
      });
      // Runs after the listener has closed (closers run in reverse), before the bus closes.
      closers.push(() => triggers.drain());
      const queries = new NotificationQueries({
        store: apiDb.notifications,
        bus,
        clock,
        logger,
        maxAttempts: config.retry.maxAttempts,
      });
      const scheduler = new JobScheduler({
        jobs: apiDb.jobs,
        channels,
        clock,
        maxTextLength: config.delivery.maxTextLength,
        templates: config.delivery.templates,
      });
      const db = apiDb;
      listener = await startRpcListener({
        host: config.server.host,
        port: config.server.port,
        readMaxBytes: config.server.maxRequestBytes,
        maxConcurrentStreams: config.server.maxConcurrentStreams,
        interceptors: [
          createErrorLoggingInterceptor(logger.child({ component: 'rpc' })),
          createAuthInterceptor(config.auth),
        ],
        routes: (router: ConnectRouter) => {
          router.service(NotificationService, createNotificationServiceHandler(triggers, queries));
          router.service(ConfigService, createConfigServiceHandler(userConfigs, channels));
          router.service(ScheduleService, createScheduleServiceHandler(scheduler));
          registerHealthService(router, health);
          registerReflection(router);
        },
        httpRoutes: operationalRoutes({
          readinessChecks: [() => db.notifications.ping(), () => bus.ping()],
          renderMetrics: () => metrics.render(),
        }),
        logger: logger.child({ component: 'rpc' }),
      });
      const started = listener;
      closers.push(async () => {
        health.shutdown();
        await started.close({ graceMs: config.server.shutdownGraceMs });
      });
      logger.info({ host: config.server.host, port: listener.port, mode }, 'notify-gateway listening');
    }
    if (!listener && workerDb && config.worker.httpPort !== undefined) {
      // A worker-only process has no RPCs, but operators still probe and scrape it.
      const db = workerDb;
      const opsListener = await startRpcListener({
        host: config.server.host,
        port: config.worker.httpPort,
        routes: () => undefined,
        httpRoutes: operationalRoutes({
          readinessChecks: [() => db.notifications.ping(), () => bus.ping()],
          renderMetrics: () => metrics.render(),
        }),
        logger: logger.child({ component: 'http' }),
      });
      listener = opsListener;
      closers.push(() => opsListener.close({ graceMs: 1000 }));
      logger.info(
        { host: config.server.host, port: opsListener.port, mode },
        'worker health and metrics listening',
      );
    }
    let stopped: Promise<void> | undefined;
    return {
      port: listener?.port ?? 0,
      channels,
      bus,
      worker,
      scanner,
      // The scanner stops first (finishing its tick) so it publishes nothing into a closing bus.
      stop: () => (stopped ??= (scanner?.stop() ?? Promise.resolve()).then(cleanup)),
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

import type { ConnectRouter } from '@connectrpc/connect';
import { createApiKeyAuth, createApiKeyCheck, isLoopbackHost } from '../adapters/rpc/auth-interceptor.js';
import { ALERTMANAGER_PATH, alertmanagerRoute } from '../adapters/rpc/alertmanager-route.js';
import { createEventServiceHandler } from '../adapters/rpc/event-service-handler.js';
import { EventService } from '../core/event/event-service.js';
import { EventService as EventServiceDesc } from '../gen/notify/v1/event_service_pb.js';
import { createConfigServiceHandler } from '../adapters/rpc/config-service-handler.js';
import { createErrorLoggingInterceptor } from '../adapters/rpc/error-logging-interceptor.js';
import { withProtocolErrorInfo } from '../adapters/rpc/error-mapping.js';
import { createRpcObserverInterceptor } from '../adapters/rpc/rpc-observer-interceptor.js';
import { createNotificationServiceHandler } from '../adapters/rpc/notification-service-handler.js';
import { callbackRoutes } from '../adapters/rpc/callback-routes.js';
import { createOperationsServiceHandler } from '../adapters/rpc/operations-service-handler.js';
import { consoleRoutes } from '../adapters/rpc/console-route.js';
import { operationalRoutes } from '../adapters/rpc/operational-routes.js';
import { registerGatewayRoutes } from '../adapters/rpc/gateway-routes.js';
import { MethodAccessTable } from '../adapters/rpc/method-access.js';
import { createScheduleServiceHandler } from '../adapters/rpc/schedule-service-handler.js';
import type { OpenDatabase } from '../adapters/sql-store/open-store.js';
import type { GatewayConfig } from '../core/config/gateway-config.js';
import { ConfigError } from '../core/contract/index.js';
import { TriggerService } from '../core/delivery/trigger-service.js';
import { CallbackService } from '../core/lifecycle/callback-service.js';
import { MessageLifecycle, resolutionsOf } from '../core/lifecycle/message-lifecycle.js';
import { NotificationQueries } from '../core/notification/notification-queries.js';
import { BulkRedrive } from '../core/notification/bulk-redrive.js';
import { NotificationWatchHub } from '../core/notification/notification-watch.js';
import { OverviewQueries } from '../core/operations/overview-queries.js';
import { JobScheduler } from '../core/schedule/job-scheduler.js';
import { HealthStatusBoard } from '../rpc-kit/health/health-status-board.js';
import { createCorsPolicy } from '../rpc-kit/transport/cors-policy.js';
import { startRpcListener, type RpcListener } from '../rpc-kit/transport/rpc-listener.js';
import { ConfigService } from '../gen/notify/v1/config_service_pb.js';
import { NotificationService } from '../gen/notify/v1/notification_service_pb.js';
import { OperationsService } from '../gen/notify/v1/operations_service_pb.js';
import { ScheduleService } from '../gen/notify/v1/schedule_service_pb.js';
import type { SharedInfrastructure } from './shared-infrastructure.js';
import { transportOptions } from './transport-options.js';

/**
 * Refuse to serve a non-loopback address without API keys unless config says so explicitly (a host
 * name counts as loopback only when everything it resolves to is), and a /metrics that requires a
 * key no one can hold.
 */
export async function assertAuthSafe(config: GatewayConfig): Promise<void> {
  if (config.server.metricsRequireKey && config.auth.apiKeys.length === 0)
    throw new ConfigError('server.metricsRequireKey', 'requires auth.apiKeys (a key with the metrics scope)');
  if (config.auth.apiKeys.length > 0 || config.auth.allowAnonymous) return;
  if (await isLoopbackHost(config.server.host)) return;
  throw new ConfigError(
    'auth.apiKeys',
    `server.host ${config.server.host} is not loopback: configure API keys, or set auth.allowAnonymous: true`,
  );
}

/**
 * Starts the api side on the API's pool: the use cases the RPCs call (trigger, queries, scheduler,
 * user config), then one listener serving the three services, health, reflection, readiness and
 * metrics, and the Alertmanager webhook. Each is registered in `shared.closers` as it starts.
 */
export async function startApiSide(shared: SharedInfrastructure, db: OpenDatabase): Promise<RpcListener> {
  const { config, bus, channels, clock, logger, metrics, closers } = shared;
  const userConfigs = shared.userConfigs(db);
  const changes = shared.changes(db);
  const triggers = new TriggerService({
    store: db.notifications,
    bus,
    channels,
    settings: userConfigs,
    config,
    clock,
    logger,
    observer: metrics,
    changes,
  });
  // Runs after the listener has closed (closers run in reverse), before the bus closes.
  closers.push(() => triggers.drain());
  const queries = new NotificationQueries({
    store: db.notifications,
    bus,
    clock,
    logger,
    maxAttempts: config.retry.maxAttempts,
    changes,
  });
  const watch = new NotificationWatchHub({
    bus,
    store: db.notifications,
    logger: logger.child({ component: 'watch' }),
    maxStreams: config.server.maxWatchStreams,
  });
  await watch.start();
  metrics.watchStreams(() => watch.activeStreams);
  const redrive = new BulkRedrive({
    redrives: db.redrives,
    store: db.notifications,
    bus,
    channels,
    clock,
    logger,
    maxAttempts: config.retry.maxAttempts,
    changes,
  });
  const lifecycle = new MessageLifecycle({
    store: db.notifications,
    channels,
    settings: userConfigs,
    config,
    clock,
    logger: logger.child({ component: 'lifecycle' }),
    changes,
  });
  // After the listener closes: card updates already started get the grace to finish.
  closers.push(() => lifecycle.drain(config.server.shutdownGraceMs));
  const callbacks = new CallbackService({
    lifecycle,
    settings: userConfigs,
    clock,
    logger: logger.child({ component: 'callbacks' }),
  });
  const scheduler = new JobScheduler({
    jobs: db.jobs,
    channels,
    clock,
    maxTextLength: config.delivery.maxTextLength,
    templates: config.delivery.templates,
  });

  const events = new EventService({
    store: db.events,
    bus,
    channels,
    settings: userConfigs,
    config,
    clock,
    logger: logger.child({ component: 'events' }),
    observer: metrics,
    resolutions: resolutionsOf(lifecycle),
  });
  const overview = new OverviewQueries(db.overview, () => bus.queueDepths(), clock);

  const health = new HealthStatusBoard();
  // Scopes are declared where each service is registered; one served without them stops the boot.
  const access = new MethodAccessTable();
  const auth = createApiKeyAuth(config.auth, access, config.server);
  // grpc.health.v1 answers per service, as load balancers and grpc-health-probe ask by name.
  for (const service of [
    NotificationService,
    ConfigService,
    ScheduleService,
    OperationsService,
    EventServiceDesc,
  ])
    health.set(service.typeName, 'serving');
  const listener = await startRpcListener({
    ...transportOptions(config),
    port: config.server.port,
    readMaxBytes: config.server.maxRequestBytes,
    ignoreUnknownJsonFields: config.server.allowUnknownFields,
    decorateError: withProtocolErrorInfo,
    cors: createCorsPolicy(config.server.cors),
    authorize: auth.authorize,
    verifyRoutes: access.verify,
    interceptors: [
      createRpcObserverInterceptor(metrics, logger.child({ component: 'rpc' })),
      createErrorLoggingInterceptor(logger.child({ component: 'rpc' })),
      auth.interceptor,
    ],
    routes: (router: ConnectRouter) =>
      registerGatewayRoutes(router, access, {
        notifications: createNotificationServiceHandler(triggers, queries, lifecycle, { watch, redrive }),
        config: createConfigServiceHandler(userConfigs, channels),
        schedules: createScheduleServiceHandler(scheduler),
        operations: createOperationsServiceHandler(overview),
        events: createEventServiceHandler(events),
        health,
      }),
    httpRoutes: {
      ...operationalRoutes({
        readinessChecks: [() => db.notifications.ping(), () => bus.ping()],
        renderMetrics: () => metrics.render(),
      }),
      [ALERTMANAGER_PATH]: alertmanagerRoute({
        events,
        authorize: createApiKeyCheck(config.auth),
        maxBodyBytes: config.server.maxRequestBytes,
      }),
      ...callbackRoutes(channels, callbacks, (channel, result) => metrics.callbackHandled(channel, result)),
      ...(config.console.enabled ? consoleRoutes(logger.child({ component: 'console' })) : {}),
    },
    logger: logger.child({ component: 'rpc' }),
  });
  metrics.observeTransport(() => listener.stats());
  closers.push(async () => {
    health.shutdown();
    // Open watch streams would hold the listener's drain for the whole grace period: end them.
    const closing = listener.close({ graceMs: config.server.shutdownGraceMs });
    await watch.stop();
    await closing;
  });
  return listener;
}

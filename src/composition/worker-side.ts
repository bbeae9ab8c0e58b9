import { hostname } from 'node:os';
import type { OpenDatabase } from '../adapters/sql-store/open-store.js';
import { operationalRoutes } from '../adapters/rpc/operational-routes.js';
import { DeliveryWorker } from '../core/delivery/delivery-worker.js';
import { TriggerService } from '../core/delivery/trigger-service.js';
import { createGatewayScanner } from '../core/scanner/create-scanner.js';
import type { Scanner } from '../core/scanner/scanner.js';
import { ScheduledJobRunner } from '../core/schedule/scheduled-job-runner.js';
import { AmqpMessageBus } from '../adapters/amqp-bus/amqp-message-bus.js';
import { decodeEventBody } from '../adapters/rpc/event-mapping.js';
import { ConfigError } from '../core/contract/index.js';
import { createEventIngestHandler } from '../core/event/event-ingestion.js';
import { EventService } from '../core/event/event-service.js';
import { MessageLifecycle, resolutionsOf } from '../core/lifecycle/message-lifecycle.js';
import { startRpcListener, type RpcListener } from '../rpc-kit/transport/rpc-listener.js';
import type { SharedInfrastructure } from './shared-infrastructure.js';
import { CallbackDispatcher } from '../core/callbacks/callback-dispatcher.js';
import { createCallbackSender } from './callback-sender.js';
import { transportOptions } from './transport-options.js';
import { createApiKeyAuth } from '../adapters/rpc/auth-interceptor.js';
import { MethodAccessTable } from '../adapters/rpc/method-access.js';

/** The running worker side: deliveries, fired jobs, and the scanner's duties. */
export interface WorkerSide {
  readonly worker: DeliveryWorker;
  readonly scanner: Scanner;
}

/**
 * Starts the worker side on the worker's pool: the delivery worker consuming the bus, the runner
 * firing scheduled jobs through the trigger (or event) path, the `ingest.amqp` consumers, and the scanner (due jobs, outbox relay, lease
 * recovery). Each is registered in `shared.closers` as it starts.
 */
export async function startWorkerSide(shared: SharedInfrastructure, db: OpenDatabase): Promise<WorkerSide> {
  const { config, bus, channels, clock, logger, closers } = shared;
  // What deliveries and fired jobs both need: the worker's pool, the bus, channels, settings.
  const needs = {
    store: db.notifications,
    bus,
    channels,
    settings: shared.userConfigs(db),
    config,
    clock,
    changes: shared.changes(db),
  };

  const worker = new DeliveryWorker({
    ...needs,
    logger: logger.child({ component: 'worker' }),
    workerId: `${hostname()}:${process.pid}`,
    observer: shared.metrics,
  });
  await worker.start();
  closers.push(() => worker.stop(config.server.shutdownGraceMs));

  // Fired jobs go through the same trigger path (and dedupe) as the Trigger RPC.
  const firedTriggers = new TriggerService({ ...needs, logger: logger.child({ component: 'schedule' }) });
  // A RESOLVED event ingested or fired here updates the earlier cards from this process.
  const lifecycle = new MessageLifecycle({ ...needs, logger: logger.child({ component: 'lifecycle' }) });
  closers.push(() => lifecycle.drain(config.server.shutdownGraceMs));
  // Fired event jobs and ingested events share the worker's pool and the api's rules.
  const events = new EventService({
    ...needs,
    store: db.events,
    logger: logger.child({ component: 'events' }),
    observer: shared.metrics,
    resolutions: resolutionsOf(lifecycle),
  });
  const jobRunner = new ScheduledJobRunner({
    jobs: db.jobs,
    triggers: firedTriggers,
    events,
    bus,
    logger: logger.child({ component: 'schedule' }),
    prefetch: config.broker.prefetch,
  });
  await jobRunner.start();
  // Closers run in reverse: the runner stops first, then its last publishes are awaited.
  closers.push(() => firedTriggers.drain());
  closers.push(() => jobRunner.stop());

  await startEventIngest(shared, events);

  const scanner = createGatewayScanner({
    jobs: db.jobs,
    maintenance: db.maintenance,
    bus,
    channels,
    config,
    logger: logger.child({ component: 'scanner' }),
    changes: needs.changes,
  });
  scanner.start();
  closers.push(() => scanner.stop());
  if (config.callbacks.length > 0) startCallbackDispatcher(shared, db);
  return { worker, scanner };
}

/** Delivers the status callbacks' outbox from this worker (signed POSTs on the safe HTTP agent). */
function startCallbackDispatcher(shared: SharedInfrastructure, db: OpenDatabase): void {
  const { config, clock, logger, closers, metrics } = shared;
  const sender = createCallbackSender(config.callbacks, config.callbackDelivery.timeoutMs);
  closers.push(sender.close);
  const dispatcher = new CallbackDispatcher({
    store: db.callbacks,
    callbacks: config.callbacks,
    ladder: config.callbackDelivery,
    send: sender.send,
    clock,
    logger: logger.child({ component: 'callbacks' }),
    observer: metrics,
  });
  dispatcher.start();
  closers.push(() => dispatcher.stop());
}

/** Consumes every `ingest.amqp` binding (events from the caller's own exchanges) through `events`. */
async function startEventIngest(shared: SharedInfrastructure, events: EventService): Promise<void> {
  const { config, bus, closers, metrics } = shared;
  if (config.ingest.amqp.length === 0) return;
  if (!(bus instanceof AmqpMessageBus)) throw new ConfigError('ingest.amqp', 'needs an amqp:// broker.url');
  const handler = createEventIngestHandler({
    events,
    decode: decodeEventBody,
    onRejected: (reason) => metrics.ingestRejected('amqp', reason),
  });
  for (const binding of config.ingest.amqp) {
    const queue = binding.queue ?? `${config.broker.namePrefix}notify.ingest.${binding.exchange}`;
    const subscription = await bus.consumeBinding(
      { exchange: binding.exchange, bindingKeys: binding.bindingKeys, queue },
      handler,
      { prefetch: config.broker.prefetch },
    );
    closers.push(() => subscription.cancel());
  }
}

/** A worker-only process has no RPCs, but operators still probe and scrape it on `worker.httpPort`. */
export async function startWorkerOpsListener(
  shared: SharedInfrastructure,
  db: OpenDatabase,
  port: number,
): Promise<RpcListener> {
  const { config, bus, logger, metrics } = shared;
  const listener = await startRpcListener({
    ...transportOptions(config),
    port,
    authorize: createApiKeyAuth(config.auth, new MethodAccessTable(), config.server).authorize,
    routes: () => undefined,
    httpRoutes: operationalRoutes({
      readinessChecks: [() => db.notifications.ping(), () => bus.ping()],
      renderMetrics: () => metrics.render(),
    }),
    logger: logger.child({ component: 'http' }),
  });
  shared.closers.push(() => listener.close({ graceMs: 1000 }));
  logger.info(
    { host: config.server.host, port: listener.port, mode: 'worker' },
    'worker health and metrics listening',
  );
  return listener;
}

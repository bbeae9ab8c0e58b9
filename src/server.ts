import { Closers } from './composition/closers.js';
import { assertAuthSafe, startApiSide } from './composition/api-side.js';
import { openSharedInfrastructure } from './composition/shared-infrastructure.js';
import { startWorkerOpsListener, startWorkerSide, type WorkerSide } from './composition/worker-side.js';
import type { GatewayConfig } from './core/config/gateway-config.js';
import type { ChannelPlugin } from './core/contract/index.js';
import type { ChannelRegistry } from './core/channels/channel-registry.js';
import type { DeliveryWorker } from './core/delivery/delivery-worker.js';
import type { MessageBus } from './core/delivery/message-bus.js';
import type { Scanner } from './core/scanner/scanner.js';
import { systemClock, type Clock } from './core/shared/clock.js';
import { createLogger, type Logger } from './core/shared/logger.js';
import type { RpcListener } from './rpc-kit/transport/rpc-listener.js';
import { feishuOpenidPlugin } from './plugins/feishu-openid/index.js';
import { feishuWebhookPlugin } from './plugins/feishu-webhook/index.js';
import { mockPlugin } from './plugins/mock/index.js';

/** Which parts run in this process: the API, the worker, or both (see docs/architecture.md). */
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

/**
 * The composition root: shared infrastructure (channels, pools, bus, metrics), then the worker side
 * (src/composition/worker-side.ts) and the api side (src/composition/api-side.ts) for the mode.
 * Nothing in src/core knows which plugins exist; they are handed in here.
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const { config, mode } = options;
  const logger = options.logger ?? createLogger(config.log.level);
  const runsApi = mode !== 'worker';
  const runsWorker = mode !== 'api';
  if (runsApi) await assertAuthSafe(config);
  const closers = new Closers(logger);
  try {
    const shared = await openSharedInfrastructure(
      {
        config,
        clock: options.clock ?? systemClock,
        logger,
        plugins: BUILTIN_PLUGINS,
        runsApi,
        runsWorker,
        secretKeys: options.secretKeys ?? process.env.NOTIFY_SECRET_KEYS,
      },
      closers,
    );
    const workerSide: WorkerSide | undefined = shared.workerDb
      ? await startWorkerSide(shared, shared.workerDb)
      : undefined;
    let listener: RpcListener | undefined;
    if (shared.apiDb) {
      listener = await startApiSide(shared, shared.apiDb);
      logger.info({ host: config.server.host, port: listener.port, mode }, 'notify-gateway listening');
    } else if (shared.workerDb && config.worker.httpPort !== undefined) {
      listener = await startWorkerOpsListener(shared, shared.workerDb, config.worker.httpPort);
    }
    const scanner = workerSide?.scanner;
    let stopped: Promise<void> | undefined;
    return {
      port: listener?.port ?? 0,
      channels: shared.channels,
      bus: shared.bus,
      worker: workerSide?.worker,
      scanner,
      // The scanner stops first (finishing its tick) so it publishes nothing into a closing bus.
      stop: () => (stopped ??= (scanner?.stop() ?? Promise.resolve()).then(() => closers.closeAll())),
    };
  } catch (error) {
    await closers.closeAll();
    throw error;
  }
}

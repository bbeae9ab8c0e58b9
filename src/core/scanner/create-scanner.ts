import type { MessageBus } from '../delivery/message-bus.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import type { ChannelRegistry } from '../channels/channel-registry.js';
import type { JobStore } from '../schedule/job-store.js';
import type { Logger } from '../shared/logger.js';
import type { MaintenanceStore } from './maintenance-store.js';
import { createFireDueJobs, createRepublishStalledJobs } from './fire-due-jobs.js';
import { createLeaseRecovery } from './lease-recovery.js';
import { createOutboxRelay } from './outbox-relay.js';
import { Scanner } from './scanner.js';
import type { ChangeReporter } from '../notification/notification-changes.js';

/** What the gateway's scanner needs; injected by the composition root. */
export interface GatewayScannerDependencies {
  readonly jobs: JobStore;
  readonly maintenance: MaintenanceStore;
  readonly bus: MessageBus;
  readonly channels: ChannelRegistry;
  readonly config: GatewayConfig;
  readonly logger: Logger;
  /** Told about records lease recovery moves. */
  readonly changes?: ChangeReporter;
}

/**
 * The worker's scanner (docs/architecture.md §1): fire due jobs, republish stalled ones, relay lost delivery
 * messages, recover expired leases, with the `scanner` config section's interval, batch and grace.
 */
export function createGatewayScanner(deps: GatewayScannerDependencies): Scanner {
  const { jobs, maintenance, bus, channels, config, logger } = deps;
  const { intervalMs, batchSize, relayGraceMs, unknownOutcomePolicy, leaseRecoveryGraceMs } = config.scanner;
  return new Scanner(
    [
      createFireDueJobs(jobs, bus, logger),
      createRepublishStalledJobs(jobs, bus, relayGraceMs, logger),
      createOutboxRelay(maintenance, bus, relayGraceMs, logger),
      createLeaseRecovery(
        maintenance,
        bus,
        channels,
        unknownOutcomePolicy,
        logger,
        leaseRecoveryGraceMs,
        deps.changes,
      ),
    ],
    { intervalMs, batchSize, logger },
  );
}

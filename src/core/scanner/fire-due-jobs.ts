import type { MessageBus } from '../delivery/message-bus.js';
import { publishOrLeaveToScanner } from '../delivery/publish-or-leave-to-scanner.js';
import type { Logger } from '../shared/logger.js';
import type { JobStore } from '../schedule/job-store.js';
import type { ScannerDuty } from './scanner-duty.js';

async function publishAll(bus: MessageBus, keys: readonly string[], logger: Logger): Promise<void> {
  await Promise.all(
    keys.map((jobKey) =>
      publishOrLeaveToScanner(bus, { kind: 'active_schedule.triggered', jobKey }, undefined, logger, {
        what: 'schedule trigger',
      }),
    ),
  );
}

/**
 * Duty 1a: claim due waiting jobs, mark them triggered in the claim's transaction, then publish
 * `active_schedule.triggered`. Commit before publish: a consumer never sees a job that is not yet
 * triggered, and a publish lost after the commit (error, crash) is caught by {@link createRepublishStalledJobs}.
 */
export function createFireDueJobs(jobs: JobStore, bus: MessageBus, logger: Logger): ScannerDuty {
  return {
    name: 'fire_due_jobs',
    async runBatch(limit) {
      const keys = await jobs.fireDue(limit);
      await publishAll(bus, keys, logger);
      return keys.length;
    },
  };
}

/**
 * Duty 1b: republish triggered jobs that still have no notification ids a grace period after their
 * last publish (the message or its consumer was lost). The consumer is idempotent, so a slow
 * consumer that gets a second event only reruns a deduplicated trigger.
 */
export function createRepublishStalledJobs(
  jobs: JobStore,
  bus: MessageBus,
  graceMs: number,
  logger: Logger,
): ScannerDuty {
  return {
    name: 'republish_stalled_jobs',
    async runBatch(limit) {
      const keys = await jobs.claimStalled(graceMs, limit);
      await publishAll(bus, keys, logger);
      return keys.length;
    },
  };
}

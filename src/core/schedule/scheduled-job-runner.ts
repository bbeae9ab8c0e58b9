import type { BusEvent, MessageBus, Subscription } from '../delivery/message-bus.js';
import type { TriggerService } from '../delivery/trigger-service.js';
import type { EventService } from '../event/event-service.js';
import { GatewayError } from '../shared/gateway-error.js';
import { UnstorableValueError } from '../shared/unstorable-value-error.js';
import type { Logger } from '../shared/logger.js';
import type { JobStore } from './job-store.js';
import { triggerForFire } from './schedule-request.js';

/** GatewayError kinds that say the request itself is wrong, which no retry changes. */
const PERMANENT_KINDS: ReadonlySet<string> = new Set([
  'invalid_argument',
  'failed_precondition',
  'not_found',
  'already_exists',
]);

/** Reason stored on a job whose notification the database refused to hold. */
export const VALUE_NOT_STORABLE = 'value_not_storable';

/** The stable reason and message of an error retrying cannot fix, or undefined for a transient one. */
export function permanentFailureOf(error: unknown): { reason: string; message: string } | undefined {
  if (error instanceof GatewayError && PERMANENT_KINDS.has(error.kind)) {
    return { reason: error.reason, message: error.message };
  }
  if (error instanceof UnstorableValueError) return { reason: VALUE_NOT_STORABLE, message: error.message };
  return undefined;
}

/** What the runner needs; injected by the composition root. */
export interface ScheduledJobRunnerDependencies {
  readonly jobs: JobStore;
  readonly triggers: TriggerService;
  /** Publishes the events of event jobs (same path as PublishEvent). */
  readonly events: EventService;
  readonly bus: MessageBus;
  readonly logger: Logger;
  readonly prefetch: number;
}

/**
 * Consumes `notify.schedule` (active_schedule.triggered): runs a fired job through the same
 * TriggerService path as the Trigger RPC, with a dedupe key derived from the job key, then stores
 * the produced notification ids on the job. A duplicate event (republish, double fire) reruns the
 * trigger at most, which dedupes: nothing is sent twice. A fire that fails for a reason retrying
 * cannot fix ends the job `failed` with that reason, once.
 */
export class ScheduledJobRunner {
  private subscription: Subscription | undefined;

  constructor(private readonly deps: ScheduledJobRunnerDependencies) {}

  async start(): Promise<void> {
    this.subscription = await this.deps.bus.subscribe('schedule', (event) => this.handle(event), {
      prefetch: this.deps.prefetch,
    });
  }

  /** Stop taking events; resolves when in-flight ones have finished and acked. */
  async stop(): Promise<void> {
    await this.subscription?.cancel();
    this.subscription = undefined;
  }

  /** Handle one bus event; resolve acks it, throw requeues it (and the scanner republishes anyway). */
  async handle(event: BusEvent): Promise<void> {
    if (event.kind !== 'active_schedule.triggered') return;
    const { jobs, triggers, logger } = this.deps;
    const job = await jobs.findByKey(event.jobKey);
    if (!job) {
      logger.warn({ job_key: event.jobKey }, 'trigger event for unknown job dropped');
      return;
    }
    // Only the scanner's claim makes a job `triggered`; a waiting or cancelled one must not fire.
    if (job.status !== 'triggered' || job.notificationIds !== null) return;
    let notificationIds: string[];
    try {
      if (job.event) {
        // Idempotent by event_id: a repeated fire answers the stored notifications.
        const published = await this.deps.events.publish(job.event, 'schedule');
        notificationIds = published.notifications.map((outcome) => outcome.record.id);
      } else {
        const outcomes = await triggers.trigger(triggerForFire(job.jobKey, job.trigger));
        notificationIds = outcomes.map((outcome) => outcome.record.id);
      }
    } catch (error) {
      const failure = permanentFailureOf(error);
      // Anything else (database or broker down) is requeued, and the scanner republishes a fire
      // that stays unrecorded.
      if (!failure) throw error;
      // Valid when scheduled, not now (a channel removed from config, a value the database refuses):
      // retrying cannot help, so the job ends failed, once, with the reason GetJob shows.
      logger.error(
        { job_key: job.jobKey, reason: failure.reason, err: failure.message },
        'scheduled job failed at fire time; it will not be retried',
      );
      await jobs.markFailed(job.jobKey, failure.reason, failure.message);
      return;
    }
    await jobs.recordNotifications(job.jobKey, notificationIds);
    logger.info({ job_key: job.jobKey, notification_ids: notificationIds }, 'scheduled job fired');
  }
}

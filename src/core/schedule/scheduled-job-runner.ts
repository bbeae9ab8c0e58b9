import type { BusEvent, MessageBus, Subscription } from '../delivery/message-bus.js';
import type { TriggerService } from '../delivery/trigger-service.js';
import type { EventService } from '../event/event-service.js';
import { GatewayError, type GatewayErrorKind } from '../shared/gateway-error.js';
import type { Logger } from '../shared/logger.js';
import type { JobStore } from './job-store.js';
import { triggerForFire } from './schedule-request.js';

/** Trigger errors a fire cannot outlive by retrying. */
const PERMANENT_AT_FIRE: ReadonlySet<GatewayErrorKind> = new Set(['invalid_argument', 'already_exists']);

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
 * trigger at most, which dedupes: nothing is sent twice.
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
      // Valid when scheduled, invalid now (a channel was removed from config), or its dedupe key
      // already taken by a different request (idempotency_key_reused): retrying cannot help, so the
      // job is closed with no notifications instead of being republished forever.
      if (!(error instanceof GatewayError) || !PERMANENT_AT_FIRE.has(error.kind)) throw error;
      logger.error(
        { job_key: job.jobKey, reason: error.reason, err: error.message },
        'scheduled trigger rejected at fire time; job closed without notifications',
      );
      notificationIds = [];
    }
    await jobs.recordNotifications(job.jobKey, notificationIds);
    logger.info({ job_key: job.jobKey, notification_ids: notificationIds }, 'scheduled job fired');
  }
}

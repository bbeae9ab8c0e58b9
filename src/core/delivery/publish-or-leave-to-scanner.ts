import type { Logger } from '../shared/logger.js';
import type { BusEvent, MessageBus, PublishOptions } from './message-bus.js';

/** Who repairs a lost publish of each event: the scanner finds the committed row again. */
const REPAIRED_BY: Record<BusEvent['kind'], string> = {
  'notification.requested': 'the outbox relay republishes it',
  'active_schedule.triggered': 'the job is republished after the grace period',
};

/**
 * Publishes an event whose row is already committed, and never rejects: RabbitMQ is the fast path
 * only, and the scanner republishes whatever a failed publish lost (outbox relay for deliveries,
 * stalled-job republish for schedules). A failure is logged as a warning naming `context` (which
 * publish it was) with the event's ids. Resolves false when the publish failed.
 */
export async function publishOrLeaveToScanner(
  bus: MessageBus,
  event: BusEvent,
  options: PublishOptions | undefined,
  logger: Logger,
  context: { readonly what: string; readonly fields?: Readonly<Record<string, unknown>> },
): Promise<boolean> {
  try {
    await bus.publish(event, options);
    return true;
  } catch (error) {
    const ids =
      event.kind === 'notification.requested'
        ? { notification_id: event.notificationId }
        : { job_key: event.jobKey };
    logger.warn(
      { ...ids, ...context.fields, err: (error as Error).message },
      `${context.what} publish failed; ${REPAIRED_BY[event.kind]}`,
    );
    return false;
  }
}

import type { BusEvent } from '../../core/delivery/message-bus.js';

/** The wire body of a bus event: UTF-8 JSON of the event object itself. */
export function encodeEvent(event: BusEvent): Buffer {
  // Copy only the known fields so a caller's extra properties never leak onto the wire.
  const body =
    event.kind === 'notification.requested'
      ? { kind: event.kind, notificationId: event.notificationId, channel: event.channel }
      : { kind: event.kind, jobKey: event.jobKey };
  return Buffer.from(JSON.stringify(body), 'utf8');
}

/** The event a message body carries, or undefined when it is not valid JSON of a known event. */
export function decodeEvent(body: Buffer): BusEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (record.kind === 'notification.requested') {
    const { notificationId, channel } = record;
    if (!isNonEmptyString(notificationId) || !isNonEmptyString(channel)) return undefined;
    return { kind: 'notification.requested', notificationId, channel };
  }
  if (record.kind === 'active_schedule.triggered') {
    const { jobKey } = record;
    return isNonEmptyString(jobKey) ? { kind: 'active_schedule.triggered', jobKey } : undefined;
  }
  return undefined;
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

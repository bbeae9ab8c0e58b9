import type { SendRequest } from '../contract/index.js';
import type { NotificationRecord } from '../notification/notification-record.js';
import { idempotencyKeyOf } from '../shared/ids.js';

/** The fields of a notification a provider call is made from. */
export type SendSource = Pick<
  NotificationRecord,
  | 'id'
  | 'callCount'
  | 'userId'
  | 'channel'
  | 'messageText'
  | 'triggerId'
  | 'triggerType'
  | 'targetType'
  | 'targetId'
  | 'targetUrl'
  | 'metadata'
  | 'traceId'
>;

/**
 * The request handed to a provider for one call about `notification` (a stored record, or the
 * made-up one of TestChannel), with the user's current `settings`. The idempotency key is derived
 * from the notification id, so every retry carries the same key; a target with neither id nor URL
 * is no target.
 */
export function buildSendRequest(
  notification: SendSource,
  settings: Readonly<Record<string, string>>,
): Omit<SendRequest, 'signal'> {
  const { targetType, targetId, targetUrl } = notification;
  return {
    notificationId: notification.id,
    idempotencyKey: idempotencyKeyOf(notification.id),
    attemptNo: notification.callCount,
    userId: notification.userId,
    channel: notification.channel,
    text: notification.messageText,
    triggerId: notification.triggerId,
    triggerType: notification.triggerType,
    target: targetUrl || targetId ? { type: targetType, id: targetId, url: targetUrl } : undefined,
    settings,
    metadata: notification.metadata,
    traceId: notification.traceId,
  };
}

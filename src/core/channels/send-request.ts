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
  | 'previewId'
  | 'critical'
>;

/** The locale of a user who set none. */
const DEFAULT_LOCALE = 'zh_cn';

/**
 * The severity a card is coloured by: `metadata.severity` (events put theirs there), else
 * `critical` for a critical trigger, else `info`.
 */
export function severityOf(notification: Pick<NotificationRecord, 'metadata' | 'critical'>): string {
  const given = notification.metadata['severity'];
  if (given !== undefined && given !== '') return given.toLowerCase();
  return notification.critical ? 'critical' : 'info';
}

/**
 * The request handed to a provider for one call about `notification` (a stored record, or the
 * made-up one of TestChannel), with the user's current `settings` and `locale` (zh_cn when unset). The idempotency key is derived
 * from the notification id, so every retry carries the same key; a target with neither id nor URL
 * is no target.
 */
export function buildSendRequest(
  notification: SendSource,
  settings: Readonly<Record<string, string>>,
  locale?: string,
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
    locale: locale || DEFAULT_LOCALE,
    previewId: notification.previewId,
    severity: severityOf(notification),
  };
}

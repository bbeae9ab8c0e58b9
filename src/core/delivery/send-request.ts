import type { SendRequest } from '../contract/index.js';
import type { NotificationRecord } from '../notification/notification-record.js';
import { idempotencyKeyOf } from '../shared/ids.js';
import type { UserChannelSetting } from '../user-config/channel-settings-source.js';
import { DEFAULT_LOCALE } from '../user-config/validate-channel-config.js';

/**
 * The severity a card is coloured by: `metadata.severity` (events put theirs there), else
 * `critical` for a critical trigger, else `info`.
 */
export function severityOf(record: Pick<NotificationRecord, 'metadata' | 'critical'>): string {
  const given = record.metadata['severity'];
  if (given !== undefined && given !== '') return given.toLowerCase();
  return record.critical ? 'critical' : 'info';
}

/** The provider request for a record and the user's current settings (send, update and test alike). */
export function sendRequestOf(
  record: NotificationRecord,
  setting: UserChannelSetting | null,
): Omit<SendRequest, 'signal'> {
  return {
    notificationId: record.id,
    idempotencyKey: idempotencyKeyOf(record.id),
    attemptNo: record.callCount,
    userId: record.userId,
    channel: record.channel,
    text: record.messageText,
    triggerId: record.triggerId,
    triggerType: record.triggerType,
    target:
      record.targetUrl || record.targetId
        ? { type: record.targetType, id: record.targetId, url: record.targetUrl }
        : undefined,
    settings: setting?.settings ?? {},
    metadata: record.metadata,
    traceId: record.traceId,
    locale: setting?.locale || DEFAULT_LOCALE,
    previewId: record.previewId,
    severity: severityOf(record),
  };
}

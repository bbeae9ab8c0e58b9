import { timestampDate, type Timestamp } from '@bufbuild/protobuf/wkt';
import { AttemptOutcome, NotificationStatus } from '../../src/gen/notify/v1/notification_pb.js';
import type { Language } from './i18n.js';

/** `SENT` for NotificationStatus.SENT: the API's own words, the same in every language. */
export function statusName(status: NotificationStatus): string {
  return NotificationStatus[status] ?? String(status);
}

/** `TEMPORARY_FAIL` for AttemptOutcome.TEMPORARY_FAIL. */
export function outcomeName(outcome: AttemptOutcome): string {
  return AttemptOutcome[outcome] ?? String(outcome);
}

/** Every status an operator can filter by, in the status machine's order. */
export const FILTERABLE_STATUSES = [
  NotificationStatus.PENDING,
  NotificationStatus.SCHEDULED,
  NotificationStatus.SENDING,
  NotificationStatus.SENT,
  NotificationStatus.FAILED,
  NotificationStatus.SKIPPED,
  NotificationStatus.DEAD,
  NotificationStatus.CANCELLED,
];

/** A timestamp in the operator's time zone, or '—'. */
export function formatTime(timestamp: Timestamp | undefined, language: Language): string {
  if (!timestamp) return '—';
  return timestampDate(timestamp).toLocaleString(language, { hour12: false });
}

/** A statuses name as it appears in URLs (`sent`), and back. */
export function statusParam(status: NotificationStatus): string {
  return statusName(status).toLowerCase();
}

export function statusFromParam(param: string | null): NotificationStatus | undefined {
  if (!param) return undefined;
  return FILTERABLE_STATUSES.find((status) => statusParam(status) === param.toLowerCase());
}

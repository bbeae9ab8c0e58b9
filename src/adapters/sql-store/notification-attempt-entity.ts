import { EntitySchema } from 'typeorm';
import {
  bigintIdColumn,
  booleanColumn,
  intColumn,
  stringColumn,
  textColumn,
  timeColumn,
} from './entity-columns.js';

/** One row of notification_attempts as TypeORM sees it (payloads are redacted JSON text). */
export interface NotificationAttemptRow {
  /** Auto-increment; a string because mysql2 returns BIGINT as text. */
  id: string;
  notificationId: string;
  attemptNo: number;
  outcome: string;
  errorCode: string | null;
  errorMessage: string | null;
  requestPayload: string | null;
  responsePayload: string | null;
  durationMs: number;
  startedAt: Date;
  possibleDuplicate: boolean;
  /** send, update (card PATCH or follow-up) or recall. */
  kind: string;
}

/** Table notification_attempts: one row per provider call (docs/architecture.md §7). */
export const NotificationAttemptEntity = new EntitySchema<NotificationAttemptRow>({
  name: 'NotificationAttempt',
  tableName: 'notification_attempts',
  columns: {
    id: bigintIdColumn(),
    notificationId: { name: 'notification_id', type: 'varchar', length: 36 },
    attemptNo: intColumn('attempt_no'),
    outcome: stringColumn('outcome', 32),
    errorCode: stringColumn('error_code', 64, true),
    errorMessage: textColumn('error_message', true),
    requestPayload: textColumn('request_payload', true),
    responsePayload: textColumn('response_payload', true),
    durationMs: intColumn('duration_ms'),
    startedAt: timeColumn('started_at'),
    possibleDuplicate: booleanColumn('possible_duplicate'),
    kind: stringColumn('kind', 16),
  },
  // (notification_id, attempt_no) also serves the per-notification index and listAttempts ordering.
  indices: [
    { name: 'idx_notification_attempts_notification', columns: ['notificationId', 'attemptNo'] },
    { name: 'idx_notification_attempts_started', columns: ['startedAt'] },
  ],
});

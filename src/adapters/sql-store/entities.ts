import { NotificationAttemptEntity } from './notification-attempt-entity.js';
import { NotificationRecordEntity } from './notification-record-entity.js';
import { ScheduledJobEntity } from './scheduled-job-entity.js';
import { UserChannelConfigEntity } from './user-channel-config-entity.js';

/** Every entity schema of the gateway, for a DataSource's `entities` option (any dialect). */
export const ALL_ENTITIES = [
  NotificationRecordEntity,
  NotificationAttemptEntity,
  UserChannelConfigEntity,
  ScheduledJobEntity,
] as const;

import { EntitySchema } from 'typeorm';
import {
  bigintIdColumn,
  booleanColumn,
  intColumn,
  stringColumn,
  textColumn,
  timeColumn,
} from './entity-columns.js';

/** Whether a stored channel config can be used (`invalid` e.g. after a key was retired). */
export type UserChannelConfigState = 'valid' | 'invalid';

/** One row of user_channel_configs; settings are AES-256-GCM ciphertext tagged with the key id. */
export interface UserChannelConfigRow {
  id: string;
  userId: string;
  channel: string;
  enabled: boolean;
  settingsCiphertext: string | null;
  keyId: string | null;
  /** "HH:MM" in the user's time zone, or null for no quiet hours. */
  quietHoursStart: string | null;
  quietHoursEnd: string | null;
  /** IANA zone name, e.g. "Asia/Shanghai". */
  timezone: string | null;
  /** Card locale (`zh_cn`, `en_us`), or null for the default. */
  locale: string | null;
  state: UserChannelConfigState;
  invalidReason: string | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

/** Table user_channel_configs (docs/architecture.md §7); schema only, its store is added separately. */
export const UserChannelConfigEntity = new EntitySchema<UserChannelConfigRow>({
  name: 'UserChannelConfig',
  tableName: 'user_channel_configs',
  columns: {
    id: bigintIdColumn(),
    userId: stringColumn('user_id', 128),
    channel: stringColumn('channel', 64),
    enabled: booleanColumn('enabled'),
    settingsCiphertext: textColumn('settings_ciphertext', true),
    keyId: stringColumn('key_id', 64, true),
    quietHoursStart: stringColumn('quiet_hours_start', 5, true),
    quietHoursEnd: stringColumn('quiet_hours_end', 5, true),
    timezone: stringColumn('timezone', 64, true),
    locale: stringColumn('locale', 16, true),
    state: stringColumn('state', 16),
    invalidReason: stringColumn('invalid_reason', 255, true),
    createdAt: timeColumn('created_at'),
    updatedAt: timeColumn('updated_at'),
    version: intColumn('version'),
  },
  uniques: [{ name: 'uq_user_channel_configs_user_channel', columns: ['userId', 'channel'] }],
});

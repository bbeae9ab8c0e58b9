import type { SealedValue } from '../secrets/secret-box.js';
import type { QuietHours } from './channel-settings-source.js';

/** One row of user_channel_configs as stored: settings still sealed. */
export interface StoredChannelConfig {
  readonly id: string;
  readonly userId: string;
  readonly channel: string;
  readonly enabled: boolean;
  /** The whole settings map as JSON, sealed with AES-256-GCM (or null when empty). */
  readonly sealedSettings: SealedValue | null;
  readonly timezone: string;
  /** `zh_cn`, `en_us`, or empty for the default (zh_cn). */
  readonly locale: string;
  readonly quietHours: QuietHours | null;
  readonly state: 'valid' | 'invalid';
  readonly invalidReason: string | null;
  readonly updatedAt: Date;
  readonly version: number;
}

/** What UpsertChannelConfig writes; state is reset to valid. */
export interface ChannelConfigWrite {
  readonly userId: string;
  readonly channel: string;
  readonly enabled: boolean;
  readonly sealedSettings: SealedValue | null;
  readonly timezone: string;
  readonly locale: string;
  readonly quietHours: QuietHours | null;
}

/** Persistence of per-user channel settings (table user_channel_configs). */
export interface UserConfigStore {
  /** Insert or replace the (user, channel) row; returns the stored row. */
  upsert(write: ChannelConfigWrite, now: Date): Promise<StoredChannelConfig>;
  get(userId: string, channel: string): Promise<StoredChannelConfig | null>;
  listForUser(userId: string): Promise<StoredChannelConfig[]>;
  /** True when a row was removed. */
  delete(userId: string, channel: string): Promise<boolean>;
  markInvalid(userId: string, channel: string, reason: string, now: Date): Promise<void>;
  /** Rows sealed with a key other than `keyId`, after `afterId` in id order (for rotation). */
  listSealedWithOtherKey(keyId: string, afterId: string, limit: number): Promise<StoredChannelConfig[]>;
  /** Replace the sealed settings if the row is still at `version`; false when it moved. */
  reseal(id: string, version: number, sealed: SealedValue, now: Date): Promise<boolean>;
}

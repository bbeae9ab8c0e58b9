/** A do-not-disturb window, "HH:MM" to "HH:MM" in the user's time zone (may wrap midnight). */
export interface QuietHours {
  readonly start: string;
  readonly end: string;
}

/** One user's settings for one channel, decrypted. */
export interface UserChannelSetting {
  readonly userId: string;
  readonly channel: string;
  readonly enabled: boolean;
  readonly settings: Readonly<Record<string, string>>;
  /** IANA zone, e.g. Asia/Shanghai; empty means UTC. */
  readonly timezone: string;
  /** Card and message locale, `zh_cn` (the default) or `en_us`. */
  readonly locale: string;
  readonly quietHours: QuietHours | null;
  /** `invalid` after the provider rejected these settings permanently (e.g. webhook deleted). */
  readonly state: 'valid' | 'invalid';
  readonly invalidReason: string | null;
  readonly updatedAt: Date;
}

/** Where trigger resolution and delivery read a user's channel settings (current, not snapshots). */
export interface ChannelSettingsSource {
  listForUser(userId: string): Promise<UserChannelSetting[]>;
  get(userId: string, channel: string): Promise<UserChannelSetting | null>;
  /** Mark a user's channel invalid after a permanent provider rejection of its settings. */
  markInvalid(userId: string, channel: string, reason: string): Promise<void>;
}

/** A source with no stored settings (used until a settings store is wired in). */
export const emptySettingsSource: ChannelSettingsSource = {
  listForUser: () => Promise.resolve([]),
  get: () => Promise.resolve(null),
  markInvalid: () => Promise.resolve(),
};

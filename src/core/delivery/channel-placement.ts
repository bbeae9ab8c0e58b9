import type { ChannelRegistry } from '../channels/channel-registry.js';
import type { UserChannelSetting } from '../user-config/channel-settings-source.js';
import { channelPreflight } from '../user-config/channel-preflight.js';
import { quietWindowEnd } from '../user-config/quiet-hours.js';

/** Where one record of a trigger (or event) goes, and whether it is sent, skipped or deferred. */
export interface Placement {
  readonly channel: string;
  readonly plugin: string;
  readonly status: 'pending' | 'skipped' | 'scheduled';
  readonly reason: string | null;
  readonly scheduledAt: Date | null;
}

/** The record a user with no enabled channel gets: skipped, `no_channel_config`, no channel. */
export const NO_CHANNEL_PLACEMENT: Placement = {
  channel: '',
  plugin: '',
  status: 'skipped',
  reason: 'no_channel_config',
  scheduledAt: null,
};

/**
 * How one channel of one user is placed (DESIGN §5 "Skipped"): skipped without the settings the
 * plugin requires or when disabled, deferred to the end of quiet hours unless critical, else pending.
 */
export function placeChannel(
  channels: ChannelRegistry,
  channel: string,
  setting: UserChannelSetting | null,
  critical: boolean,
  now: Date,
): Placement {
  const loaded = channels.get(channel);
  const plugin = loaded?.pluginId ?? '';
  const skip = channelPreflight(loaded, setting);
  if (skip) return { channel, plugin, status: 'skipped', reason: skip.code, scheduledAt: null };
  const quietUntil = setting && !critical ? quietWindowEnd(now, setting.quietHours, setting.timezone) : null;
  if (quietUntil) return { channel, plugin, status: 'scheduled', reason: null, scheduledAt: quietUntil };
  return { channel, plugin, status: 'pending', reason: null, scheduledAt: null };
}

/**
 * Placements of one user from all their stored settings: the given channels, or (none given) every
 * enabled, configured channel; no such channel yields {@link NO_CHANNEL_PLACEMENT}.
 */
export function placeUser(
  channels: ChannelRegistry,
  wanted: readonly string[] | undefined,
  settings: readonly UserChannelSetting[],
  critical: boolean,
  now: Date,
): Placement[] {
  if (wanted && wanted.length > 0) {
    return wanted.map((channel) =>
      placeChannel(channels, channel, settings.find((s) => s.channel === channel) ?? null, critical, now),
    );
  }
  const enabled = settings.filter((setting) => setting.enabled && channels.get(setting.channel));
  if (enabled.length === 0) return [NO_CHANNEL_PLACEMENT];
  return enabled.map((setting) => placeChannel(channels, setting.channel, setting, critical, now));
}

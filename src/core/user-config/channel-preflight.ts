import type { LoadedChannel } from '../channels/channel-registry.js';
import type { UserChannelSetting } from './channel-settings-source.js';

/** Why a user's notification through a channel is skipped without calling the provider. */
export interface PreflightSkip {
  /** Stored as the record's or attempt's error code. */
  readonly code: 'no_channel_config' | 'channel_disabled';
  readonly message: string;
}

/**
 * The one check before a channel is used for a user (trigger placement, delivery, TestChannel):
 * a channel that declares settings needs the user's settings, and a user's disabled
 * channel is not used. Undefined when the call may go ahead.
 */
export function channelPreflight(
  channel: Pick<LoadedChannel, 'settings'> | undefined,
  setting: Pick<UserChannelSetting, 'enabled'> | null,
): PreflightSkip | undefined {
  // A channel that declares settings needs the user to have given some, even when each one is
  // optional on its own (feishu-openid takes any one recipient key).
  const needsSettings = (channel?.settings.length ?? 0) > 0;
  if (!setting && needsSettings) {
    return { code: 'no_channel_config', message: 'user has no settings for this channel' };
  }
  if (setting && !setting.enabled) {
    return { code: 'channel_disabled', message: 'user disabled this channel' };
  }
  return undefined;
}

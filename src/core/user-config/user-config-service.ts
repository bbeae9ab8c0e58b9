import type { SendResult } from '../contract/index.js';
import { callProvider } from '../channels/call-provider.js';
import { buildSendRequest, type SendSource } from '../channels/send-request.js';
import { channelPreflight } from './channel-preflight.js';
import type { ChannelRegistry, LoadedChannel } from '../channels/channel-registry.js';
import type { SecretBox } from '../secrets/secret-box.js';
import type { Clock } from '../shared/clock.js';
import { checkId, echo, ID_LIMITS } from '../shared/field-rules.js';
import { GatewayError, invalidField } from '../shared/gateway-error.js';
import { newId, newTraceId } from '../shared/ids.js';
import type { ChannelSettingsSource, QuietHours, UserChannelSetting } from './channel-settings-source.js';
import { maskSettings, restoreMaskedSecrets } from './mask-settings.js';
import type { StoredChannelConfig, UserConfigStore } from './user-config-store.js';
import {
  DEFAULT_LOCALE,
  validateLocale,
  validateSchedulePrefs,
  validateSettings,
} from './validate-channel-config.js';

/** A user's channel settings as callers see them: secrets masked. */
export type MaskedChannelConfig = UserChannelSetting;

/** UpsertChannelConfig input. */
export interface ChannelConfigInput {
  readonly userId: string;
  readonly channel: string;
  readonly enabled: boolean;
  readonly settings: Readonly<Record<string, string>>;
  readonly timezone: string;
  /** `zh_cn`, `en_us`, or empty for zh_cn. */
  readonly locale: string;
  readonly quietHours: QuietHours | null;
}

/** TestChannel's answer: the provider's classified outcome, synchronously. */
export interface ChannelTestResult {
  readonly result: SendResult;
  readonly durationMs: number;
}

const TEST_TEXT = 'notify-gateway test message: this channel works.';

/** Bytes settings_ciphertext (TEXT) holds, counted in UTF-8 (plaintext mode stores the JSON as is). */
export const MAX_SEALED_SETTINGS_BYTES = 65_535;

/**
 * Per-user channel settings: validated against the plugin's declared keys, sealed at rest, masked
 * on read, and read fresh (not snapshotted) by every delivery through ChannelSettingsSource.
 */
export class UserConfigService implements ChannelSettingsSource {
  constructor(
    private readonly deps: {
      readonly store: UserConfigStore;
      readonly box: SecretBox;
      readonly channels: ChannelRegistry;
      readonly clock: Clock;
      readonly sendTimeoutMs: number;
      /** delivery.maxTextLength: the longest TestChannel text, as for Trigger. */
      readonly maxTextLength: number;
    },
  ) {}

  async upsert(input: ChannelConfigInput): Promise<MaskedChannelConfig> {
    checkId('user_id', input.userId, ID_LIMITS.userId);
    const channel = this.requireChannel(input.channel);
    validateSchedulePrefs(input.timezone, input.quietHours);
    validateLocale(input.locale);
    const existing = await this.deps.store.get(input.userId, input.channel);
    const settings = existing
      ? restoreMaskedSecrets(input.settings, this.open(existing), channel.settings)
      : { ...input.settings };
    validateSettings(channel, settings);
    if (Object.keys(settings).length > 0 && !this.deps.box.encrypts && !this.deps.box.canStorePlaintext) {
      throw new GatewayError(
        'failed_precondition',
        'no_secret_key',
        'no NOTIFY_SECRET_KEYS configured to encrypt settings',
      );
    }
    const sealedSettings =
      Object.keys(settings).length > 0 ? this.deps.box.seal(JSON.stringify(settings)) : null;
    const sealedBytes = sealedSettings ? Buffer.byteLength(sealedSettings.ciphertext, 'utf8') : 0;
    if (sealedBytes > MAX_SEALED_SETTINGS_BYTES) {
      throw invalidField(
        'settings',
        'field_too_long',
        `take ${sealedBytes} bytes once sealed; at most ${MAX_SEALED_SETTINGS_BYTES} are stored`,
      );
    }
    const stored = await this.deps.store.upsert(
      {
        userId: input.userId,
        channel: input.channel,
        enabled: input.enabled,
        sealedSettings,
        timezone: input.timezone,
        locale: input.locale,
        quietHours: input.quietHours,
      },
      this.deps.clock.now(),
    );
    return this.masked(stored);
  }

  async getUserConfig(userId: string): Promise<MaskedChannelConfig[]> {
    checkId('user_id', userId, ID_LIMITS.userId);
    return (await this.deps.store.listForUser(userId)).map((stored) => this.masked(stored));
  }

  async delete(userId: string, channel: string): Promise<boolean> {
    checkId('user_id', userId, ID_LIMITS.userId);
    checkId('channel', channel, ID_LIMITS.channel);
    return this.deps.store.delete(userId, channel);
  }

  /** Send a test message now through the user's channel; no record is written. */
  async testChannel(userId: string, channelId: string, text: string): Promise<ChannelTestResult> {
    checkId('user_id', userId, ID_LIMITS.userId);
    const channel = this.requireChannel(channelId);
    if (text.length > this.deps.maxTextLength) {
      throw invalidField('text', 'text_too_long', `is longer than ${this.deps.maxTextLength} characters`);
    }
    const setting = await this.get(userId, channelId);
    // A disabled channel can still be tested: only missing settings make the test impossible.
    if (channelPreflight(channel, setting)?.code === 'no_channel_config') {
      throw new GatewayError(
        'failed_precondition',
        'no_channel_config',
        `user ${echo(userId)} has no settings for channel ${channelId}`,
      );
    }
    const id = newId(this.deps.clock.now());
    const testNotification: SendSource = {
      id,
      callCount: 1,
      userId,
      channel: channelId,
      messageText: text || TEST_TEXT,
      triggerId: `test-${id}`,
      triggerType: 'channel_test',
      targetType: '',
      targetId: '',
      targetUrl: '',
      previewId: '',
      critical: false,
      metadata: {},
      traceId: newTraceId(),
    };
    return callProvider(
      channel.provider,
      buildSendRequest(testNotification, setting?.settings ?? {}, setting?.locale),
      this.deps.sendTimeoutMs,
      new AbortController().signal,
    );
  }

  async listForUser(userId: string): Promise<UserChannelSetting[]> {
    return (await this.deps.store.listForUser(userId)).map((stored) => this.decrypted(stored));
  }

  async get(userId: string, channel: string): Promise<UserChannelSetting | null> {
    const stored = await this.deps.store.get(userId, channel);
    return stored ? this.decrypted(stored) : null;
  }

  async markInvalid(userId: string, channel: string, reason: string): Promise<void> {
    await this.deps.store.markInvalid(userId, channel, reason, this.deps.clock.now());
  }

  private requireChannel(channelId: string): LoadedChannel {
    checkId('channel', channelId, ID_LIMITS.channel);
    const channel = this.deps.channels.get(channelId);
    if (!channel)
      throw invalidField('channel', 'unknown_channel', `${echo(channelId)} is not a configured channel`);
    return channel;
  }

  private open(stored: StoredChannelConfig): Record<string, string> {
    return stored.sealedSettings
      ? (JSON.parse(this.deps.box.open(stored.sealedSettings)) as Record<string, string>)
      : {};
  }

  private decrypted(stored: StoredChannelConfig): UserChannelSetting {
    return {
      userId: stored.userId,
      channel: stored.channel,
      enabled: stored.enabled,
      settings: this.open(stored),
      timezone: stored.timezone,
      locale: stored.locale || DEFAULT_LOCALE,
      quietHours: stored.quietHours,
      state: stored.state,
      invalidReason: stored.invalidReason,
      updatedAt: stored.updatedAt,
    };
  }

  private masked(stored: StoredChannelConfig): MaskedChannelConfig {
    const decrypted = this.decrypted(stored);
    const specs = this.deps.channels.get(stored.channel)?.settings ?? [];
    return { ...decrypted, settings: maskSettings(decrypted.settings, specs) };
  }
}

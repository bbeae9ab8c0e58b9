import { SettingsError, type SettingSpec } from '../contract/index.js';
import type { LoadedChannel } from '../channels/channel-registry.js';
import { ECHO_MAX_CHARS, echo } from '../shared/field-rules.js';
import { invalidField } from '../shared/gateway-error.js';
import type { QuietHours } from './channel-settings-source.js';
import { isValidTimeZone, parseClockTime } from './quiet-hours.js';

const MAX_SETTING_LENGTH = 2048;

/** Check settings against the plugin's declared keys, then its own value rules (e.g. URL rules). */
export function validateSettings(channel: LoadedChannel, settings: Readonly<Record<string, string>>): void {
  const declared = new Map<string, SettingSpec>(channel.settings.map((spec) => [spec.key, spec]));
  for (const [key, value] of Object.entries(settings)) {
    if (!declared.has(key)) {
      const allowed = [...declared.keys()].join(', ') || 'none';
      throw invalidField(
        `settings.${key.length > ECHO_MAX_CHARS ? `${key.slice(0, ECHO_MAX_CHARS)}…` : key}`,
        'unknown_setting',
        `is not a setting of channel ${channel.id} (allowed: ${allowed})`,
      );
    }
    if (value.length > MAX_SETTING_LENGTH) {
      throw invalidField(
        `settings.${key}`,
        'field_too_long',
        `is longer than ${MAX_SETTING_LENGTH} characters`,
      );
    }
  }
  for (const spec of channel.settings) {
    if (spec.required && !settings[spec.key]) {
      throw invalidField(`settings.${spec.key}`, 'field_required', `is required by channel ${channel.id}`);
    }
  }
  try {
    channel.provider.validateSettings?.(settings);
  } catch (error) {
    if (error instanceof SettingsError)
      throw invalidField(`settings.${error.key}`, 'invalid_setting', error.problem);
    throw error;
  }
}

/** Check the time zone (IANA) and quiet hours ("HH:MM" pair). */
export function validateSchedulePrefs(timezone: string, quietHours: QuietHours | null): void {
  if (timezone && !isValidTimeZone(timezone)) {
    throw invalidField('timezone', 'invalid_timezone', `${echo(timezone)} is not an IANA time zone`);
  }
  if (!quietHours) return;
  for (const part of ['start', 'end'] as const) {
    if (parseClockTime(quietHours[part]) === undefined) {
      throw invalidField(`quiet_hours.${part}`, 'invalid_time', 'must be HH:MM (24-hour)');
    }
  }
}

/** Locales cards and messages are rendered in (Feishu's locale keys). */
export const SUPPORTED_LOCALES: readonly string[] = ['zh_cn', 'en_us'];

/** The locale of a user who set none. */
export const DEFAULT_LOCALE = 'zh_cn';

/** Check the locale: empty (the default, zh_cn) or one of SUPPORTED_LOCALES. */
export function validateLocale(locale: string): void {
  if (locale && !SUPPORTED_LOCALES.includes(locale)) {
    throw invalidField('locale', 'invalid_value', `must be one of ${SUPPORTED_LOCALES.join(', ')}`);
  }
}

import type { SettingSpec } from '../contract/index.js';

const MASK = '****';

/** A secret shown as `****` plus its last 4 characters (all masked when shorter than 12). */
export function maskSecret(value: string): string {
  return value.length >= 12 ? `${MASK}${value.slice(-4)}` : MASK;
}

/** Settings with every secret (per the plugin's declaration) masked; unknown keys masked too. */
export function maskSettings(
  settings: Readonly<Record<string, string>>,
  specs: readonly SettingSpec[],
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(settings).map(([key, value]) => {
      const spec = specs.find((candidate) => candidate.key === key);
      return [key, spec && !spec.secret ? value : maskSecret(value)];
    }),
  );
}

/**
 * Keep the stored value where a client sent back the masked form it read, so a read-modify-write
 * through GetUserConfig never overwrites a secret with its mask.
 */
export function restoreMaskedSecrets(
  incoming: Readonly<Record<string, string>>,
  stored: Readonly<Record<string, string>>,
  specs: readonly SettingSpec[],
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(incoming).map(([key, value]) => {
      const previous = stored[key];
      const secret = specs.find((spec) => spec.key === key)?.secret ?? true;
      return [key, secret && previous !== undefined && value === maskSecret(previous) ? previous : value];
    }),
  );
}

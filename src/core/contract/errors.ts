/** A bad configuration value; `path` names it, e.g. `channels[0].config.timeoutMs`. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

/** A bad per-user channel setting; `key` names it, e.g. `webhook_url`. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
  constructor(
    readonly key: string,
    readonly problem: string,
  ) {
    super(`settings.${key}: ${problem}`);
  }
}

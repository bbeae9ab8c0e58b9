import type { GatewayConfig } from '../config/gateway-config.js';
import { ConfigError } from '../contract/index.js';
import type { Logger } from '../shared/logger.js';
import { SecretBox } from './secret-box.js';
import { parseSecretKeys } from './secret-keyring.js';

/**
 * Settings are sealed with the first of NOTIFY_SECRET_KEYS. Without a key, production (MySQL)
 * refuses to start unless secrets.allowPlaintext; the embedded SQLite store allows it (dev only).
 */
export function createSecretBox(config: GatewayConfig, keys: string | undefined, logger: Logger): SecretBox {
  const keyring = parseSecretKeys(keys);
  const embedded = config.database.url.startsWith('sqlite:');
  const allowPlaintext = config.secrets.allowPlaintext || embedded;
  if (!keyring.primary && !allowPlaintext) {
    throw new ConfigError(
      'NOTIFY_SECRET_KEYS',
      'no key to encrypt channel settings: set NOTIFY_SECRET_KEYS=id:base64key (openssl rand -base64 32), or secrets.allowPlaintext: true',
    );
  }
  if (!keyring.primary) logger.warn({}, 'channel settings are stored unencrypted (no NOTIFY_SECRET_KEYS)');
  return new SecretBox(keyring, allowPlaintext);
}

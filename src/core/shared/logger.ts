import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths pino censors in every log line: secrets, tokens and webhook URLs never reach logs.
 * Plugins also redact their own payloads; this is the second line of defence.
 */
export const REDACTED_PATHS = [
  'settings.webhook_url',
  'settings.secret',
  '*.settings.webhook_url',
  '*.settings.secret',
  'webhook_url',
  'webhookUrl',
  'secret',
  'appSecret',
  'app_secret',
  'token',
  'tenant_access_token',
  'authorization',
  'headers.authorization',
  '*.authorization',
  'apiKey',
  'url',
  '*.url',
];

/** JSON-lines logger at `level` (trace|debug|info|warn|error|fatal|silent). */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'notify-gateway' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

import {
  ConfigError,
  parseStrictObject,
  readBoolean,
  readInteger,
  readString,
  readStringList,
} from '../../core/contract/index.js';
import { CARD_CONFIG_KEYS, parseCardConfig, type CardConfig } from '../feishu-common/card/card-config.js';

/** Message shapes the webhook plugin can render. */
export type WebhookMsgType = 'text' | 'post' | 'interactive';

/** Parsed `feishu-webhook` channel config. */
export interface WebhookConfig extends CardConfig {
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  /** Lower-cased hostnames a webhook_url may point at. */
  readonly allowedHosts: readonly string[];
  readonly allowHttp: boolean;
  /** Ports a webhook_url may name (the scheme's default counts as named); default [443]. */
  readonly allowedPorts: readonly number[];
  readonly allowPrivateNetwork: boolean;
  readonly msgType: WebhookMsgType;
  readonly ratePerSecond: number;
  readonly ratePerMinute: number;
  /** Read by the core too: false makes an unknown outcome final instead of retryable. */
  readonly retryOnUnknownOutcome: boolean;
  /** On acknowledge/resolve the bot cannot edit its message: send a short follow-up, or nothing. */
  readonly followUp: 'message' | 'none';
}

/** Feishu (CN) and Lark (international) open-platform hosts, docs/feishu-notes.md §1. */
export const DEFAULT_ALLOWED_HOSTS = ['open.feishu.cn', 'open.larksuite.com'] as const;

const KEYS = [
  'timeoutMs',
  'connectTimeoutMs',
  'allowedHosts',
  'allowHttp',
  'allowedPorts',
  'allowPrivateNetwork',
  'msgType',
  'ratePerSecond',
  'ratePerMinute',
  'retryOnUnknownOutcome',
  'followUp',
  ...CARD_CONFIG_KEYS,
] as const;
const MSG_TYPES: readonly WebhookMsgType[] = ['text', 'post', 'interactive'];

/** Feishu's hooks are served on 443 only; any other port is a URL pointing somewhere else. */
export const DEFAULT_ALLOWED_PORTS: readonly number[] = [443];

function readPorts(record: Record<string, unknown>, key: string, path: string): number[] {
  const value = record[key];
  if (value === undefined) return [...DEFAULT_ALLOWED_PORTS];
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigError(`${path}.${key}`, 'must be a non-empty list of ports');
  }
  return value.map((port: unknown, index) => {
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new ConfigError(`${path}.${key}[${index}]`, 'must be a port number (1-65535)');
    }
    return port;
  });
}

/** Parses the channel config strictly; throws ConfigError naming the bad key under `path`. */
export function parseWebhookConfig(raw: unknown, path: string): WebhookConfig {
  const record = parseStrictObject(raw, path, KEYS);
  const msgType = readString(record, 'msgType', path, 'text');
  if (!(MSG_TYPES as readonly string[]).includes(msgType)) {
    throw new ConfigError(`${path}.msgType`, `must be one of ${MSG_TYPES.join(', ')}`);
  }
  const followUp = readString(record, 'followUp', path, 'message');
  if (followUp !== 'message' && followUp !== 'none') {
    throw new ConfigError(`${path}.followUp`, 'must be one of message, none');
  }
  return {
    ...parseCardConfig(record, path),
    followUp,
    timeoutMs: readInteger(record, 'timeoutMs', path, { fallback: 5000, min: 1, max: 120_000 }),
    connectTimeoutMs: readInteger(record, 'connectTimeoutMs', path, { fallback: 3000, min: 1, max: 60_000 }),
    allowedHosts: readStringList(record, 'allowedHosts', path, DEFAULT_ALLOWED_HOSTS).map((host) =>
      host.toLowerCase(),
    ),
    allowHttp: readBoolean(record, 'allowHttp', path, false),
    allowedPorts: readPorts(record, 'allowedPorts', path),
    allowPrivateNetwork: readBoolean(record, 'allowPrivateNetwork', path, false),
    msgType: msgType as WebhookMsgType,
    // Feishu's own caps are 5/s and 100/min per bot (docs/feishu-notes.md §2.6); higher values only earn 11232.
    ratePerSecond: readInteger(record, 'ratePerSecond', path, { fallback: 5, min: 1, max: 1000 }),
    ratePerMinute: readInteger(record, 'ratePerMinute', path, { fallback: 100, min: 1, max: 60_000 }),
    retryOnUnknownOutcome: readBoolean(record, 'retryOnUnknownOutcome', path, true),
  };
}

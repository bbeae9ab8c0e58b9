import {
  ConfigError,
  parseStrictObject,
  readBoolean,
  readInteger,
  readString,
} from '../../core/contract/index.js';
import { CARD_CONFIG_KEYS, parseCardConfig, type CardConfig } from '../feishu-common/card/card-config.js';

/** Parsed `feishu-openid` channel config. */
export interface OpenidConfig extends CardConfig {
  readonly appId: string;
  readonly appSecret: string;
  /** Origin of the open platform, without trailing slash (Feishu, Lark, a proxy or the emulator). */
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly ratePerSecond: number;
  readonly ratePerMinute: number;
  readonly ratePerUserPerSecond: number;
  /** Card updates and recalls of one message per second (Feishu: 5 QPS per message). */
  readonly ratePerMessagePerSecond: number;
  /** How long an email/mobile → open_id lookup is cached. */
  readonly idCacheTtlMs: number;
  /** How long after sending a message may be recalled (the tenant's recall limit). */
  readonly recallWindowMs: number;
  readonly tokenRefreshMarginMs: number;
  /** `text` (text, or post when there is a link) or `interactive` (a card). */
  readonly msgType: 'text' | 'interactive';
  /** Card callback Verification Token; callbacks are served only when set. */
  readonly verificationToken: string;
  /** Card callback Encrypt Key: callbacks must be encrypted and signed with it when set. */
  readonly encryptKey: string;
  /** Callbacks whose request timestamp is further off than this are refused as stale. */
  readonly callbackMaxSkewMs: number;
  /** Put an Acknowledge callback button on the built-in card. */
  readonly ackButton: boolean;
  /** The Acknowledge button's text; empty for the locale's word. */
  readonly ackButtonText: string;
}

const KEYS = [
  'appId',
  'appSecret',
  'baseUrl',
  'timeoutMs',
  'connectTimeoutMs',
  'ratePerSecond',
  'ratePerMinute',
  'ratePerUserPerSecond',
  'ratePerMessagePerSecond',
  'idCacheTtlMs',
  'recallWindowMs',
  'tokenRefreshMarginMs',
  'msgType',
  'ackButton',
  'ackButtonText',
  'verificationToken',
  'encryptKey',
  'callbackMaxSkewMs',
  ...CARD_CONFIG_KEYS,
] as const;

/** Parses the channel config strictly; throws ConfigError naming the bad key under `path`. */
export function parseOpenidConfig(raw: unknown, path: string): OpenidConfig {
  const record = parseStrictObject(raw, path, KEYS);
  const msgType = readString(record, 'msgType', path, 'text');
  if (msgType !== 'text' && msgType !== 'interactive') {
    throw new ConfigError(`${path}.msgType`, 'must be one of text, interactive');
  }
  return {
    ...parseCardConfig(record, path),
    msgType,
    ackButton: readBoolean(record, 'ackButton', path, true),
    ackButtonText: readString(record, 'ackButtonText', path, ''),
    verificationToken: readString(record, 'verificationToken', path, ''),
    encryptKey: readString(record, 'encryptKey', path, ''),
    callbackMaxSkewMs: readInteger(record, 'callbackMaxSkewMs', path, {
      fallback: 300_000,
      min: 1000,
      max: 3_600_000,
    }),
    appId: readString(record, 'appId', path),
    appSecret: readString(record, 'appSecret', path),
    baseUrl: parseBaseUrl(readString(record, 'baseUrl', path, 'https://open.feishu.cn'), `${path}.baseUrl`),
    timeoutMs: readInteger(record, 'timeoutMs', path, { fallback: 5000, min: 1, max: 120_000 }),
    connectTimeoutMs: readInteger(record, 'connectTimeoutMs', path, { fallback: 3000, min: 1, max: 60_000 }),
    // Feishu caps the send API at 50/s and 1000/min per app, and 5 QPS per user (docs/feishu-notes.md §3.3).
    ratePerSecond: readInteger(record, 'ratePerSecond', path, { fallback: 50, min: 1, max: 10_000 }),
    ratePerMinute: readInteger(record, 'ratePerMinute', path, { fallback: 1000, min: 1, max: 600_000 }),
    ratePerUserPerSecond: readInteger(record, 'ratePerUserPerSecond', path, {
      fallback: 5,
      min: 1,
      max: 1000,
    }),
    ratePerMessagePerSecond: readInteger(record, 'ratePerMessagePerSecond', path, {
      fallback: 5,
      min: 1,
      max: 1000,
    }),
    idCacheTtlMs: readInteger(record, 'idCacheTtlMs', path, { fallback: 3_600_000, min: 0, max: 86_400_000 }),
    // Feishu's recall limit is set per tenant by its admin (docs/feishu-notes.md §11); 24 h is a common setting.
    recallWindowMs: readInteger(record, 'recallWindowMs', path, {
      fallback: 86_400_000,
      min: 0,
      max: 366 * 86_400_000,
    }),
    // SDKs refresh 3 min early so a token never expires between fetch and use.
    tokenRefreshMarginMs: readInteger(record, 'tokenRefreshMarginMs', path, {
      fallback: 180_000,
      min: 0,
      max: 3_600_000,
    }),
  };
}

function parseBaseUrl(raw: string, path: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(path, 'must be an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(path, 'must be http(s)');
  if (url.username !== '' || url.password !== '') throw new ConfigError(path, 'must not contain user info');
  if (url.search !== '' || url.hash !== '') throw new ConfigError(path, 'must not have a query or fragment');
  return url.href.replace(/\/+$/, '');
}

import { ConfigError, parseStrictObject, readInteger, readString } from '../../core/contract/index.js';

/** Parsed `feishu-openid` channel config. */
export interface OpenidConfig {
  readonly appId: string;
  readonly appSecret: string;
  /** Origin of the open platform, without trailing slash (Feishu, Lark, a proxy or the emulator). */
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly ratePerSecond: number;
  readonly ratePerMinute: number;
  readonly ratePerUserPerSecond: number;
  readonly tokenRefreshMarginMs: number;
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
  'tokenRefreshMarginMs',
] as const;

/** Parses the channel config strictly; throws ConfigError naming the bad key under `path`. */
export function parseOpenidConfig(raw: unknown, path: string): OpenidConfig {
  const record = parseStrictObject(raw, path, KEYS);
  return {
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

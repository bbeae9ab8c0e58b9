import { ProviderErrorCode } from '../../core/contract/index.js';

/** Delay before retrying an in-flight duplicate (Feishu 230049/18121 suggest ~1 s; docs/feishu-notes.md). */
export const IN_FLIGHT_RETRY_MS = 1000;

/** Where a provider states its wait hint besides `Retry-After`. */
export interface RetryHintOptions {
  /**
   * A provider's own header in seconds, read before `Retry-After` (Feishu: `x-ogw-ratelimit-reset`,
   * see feishu-common). Lower-case, as undici hands headers over.
   */
  readonly resetHeader?: string;
}

/**
 * The provider's wait hint in ms: its own reset header (seconds) first when it has one, then
 * `Retry-After` (seconds or an HTTP date). Undefined when neither is usable.
 */
export function readRetryAfterMs(
  headers: Readonly<Record<string, string>>,
  nowMs: number,
  options: RetryHintOptions = {},
): number | undefined {
  const reset = options.resetHeader === undefined ? undefined : parseSeconds(headers[options.resetHeader]);
  if (reset !== undefined) return reset;
  const retryAfter = headers['retry-after'];
  const seconds = parseSeconds(retryAfter);
  if (seconds !== undefined) return seconds;
  if (retryAfter === undefined) return undefined;
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** The retryAfterMs to report for a failure code, given the answer's headers. */
export function retryHintFor(
  errorCode: string,
  headers: Readonly<Record<string, string>>,
  nowMs: number,
  options: RetryHintOptions = {},
): number | undefined {
  const hinted = readRetryAfterMs(headers, nowMs, options);
  if (hinted !== undefined) return hinted;
  return errorCode === ProviderErrorCode.inFlight ? IN_FLIGHT_RETRY_MS : undefined;
}

function parseSeconds(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return Math.round(Number(value) * 1000);
}

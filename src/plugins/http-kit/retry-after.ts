import { ProviderErrorCode } from '../../core/contract/index.js';

/** Delay before retrying an in-flight duplicate (230049/18121): reference §6 suggests ~1 s. */
export const IN_FLIGHT_RETRY_MS = 1000;

/**
 * The provider's wait hint in ms: `x-ogw-ratelimit-reset` (seconds) first, as the official CLI
 * does, then `Retry-After` (seconds or an HTTP date). Undefined when neither is usable.
 */
export function readRetryAfterMs(
  headers: Readonly<Record<string, string>>,
  nowMs: number,
): number | undefined {
  const reset = parseSeconds(headers['x-ogw-ratelimit-reset']);
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
): number | undefined {
  const hinted = readRetryAfterMs(headers, nowMs);
  if (hinted !== undefined) return hinted;
  return errorCode === ProviderErrorCode.inFlight ? IN_FLIGHT_RETRY_MS : undefined;
}

function parseSeconds(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return Math.round(Number(value) * 1000);
}

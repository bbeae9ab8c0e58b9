import { ProviderErrorCode } from '../../core/contract/index.js';
import { lookupCode, type CodeTable } from './classification.js';
import { isRecord, type HttpResponse } from '../http-kit/http-call.js';
import { redactDeep, redactText } from '../http-kit/redact.js';
import { retryHintFor } from '../http-kit/retry-after.js';
import { permanent, temporary, type Classification } from '../http-kit/verdict.js';

/** A Feishu answer judged by status and body: either accepted, or a failure with its verdict. */
export type FeishuVerdict =
  | { readonly kind: 'accepted'; readonly body: Readonly<Record<string, unknown>> }
  | {
      readonly kind: 'rejected';
      readonly classification: Classification;
      /** The body code that decided it (0 when the HTTP status did). */
      readonly feishuCode: number;
      readonly feishuMsg: string;
      /** Set for a 2xx answer we cannot read: Feishu may have acted on the request. */
      readonly outcomeUnknown: boolean;
    };

/**
 * Judges an answer. Feishu reports most errors as HTTP 200 with a non-zero body `code`, and the
 * webhook sometimes only in the legacy `StatusCode` field, so the body decides; the HTTP status only
 * decides when it is 5xx/429 or the body is not a Feishu JSON object.
 */
export function judgeFeishuResponse(response: HttpResponse, table: CodeTable): FeishuVerdict {
  const { status } = response;
  const body = isRecord(response.json) ? response.json : undefined;
  const codeField = body ? readCode(body['code']) : 0;
  const legacyField = body ? readCode(body['StatusCode']) : 0;
  const msg = body ? readMsg(body) : '';
  if (status >= 500) return reject(temporary(ProviderErrorCode.serverError), codeField ?? 0, msg, false);
  if (status === 429) return reject(temporary(ProviderErrorCode.rateLimited), codeField ?? 0, msg, false);
  const is2xx = status >= 200 && status < 300;
  if (!body || codeField === undefined || legacyField === undefined) {
    if (status === 404) return reject(permanent(ProviderErrorCode.invalidUrl), 0, msg, false);
    return reject(permanent(ProviderErrorCode.badResponse), 0, msg, is2xx);
  }
  // `code: 0` with a non-zero `StatusCode` was observed: either field failing fails the call.
  const code = codeField !== 0 ? codeField : legacyField;
  if (code === 0) {
    if (is2xx) return { kind: 'accepted', body };
    const fallback = status === 404 ? ProviderErrorCode.invalidUrl : ProviderErrorCode.badResponse;
    return reject(permanent(fallback), 0, msg, false);
  }
  const known = lookupCode(table, code, msg);
  if (known) return reject(known, code, msg, false);
  // Unknown non-zero code below HTTP 500 (docs/feishu-notes.md §6): do not guess that a retry would help.
  const fallback = status === 404 ? ProviderErrorCode.invalidUrl : ProviderErrorCode.badResponse;
  return reject(permanent(fallback), code, msg, false);
}

function reject(
  classification: Classification,
  feishuCode: number,
  feishuMsg: string,
  outcomeUnknown: boolean,
): FeishuVerdict {
  return { kind: 'rejected', classification, feishuCode, feishuMsg, outcomeUnknown };
}

/** 0 when absent, the number when numeric, undefined when malformed. */
function readCode(value: unknown): number | undefined {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return undefined;
}

function readMsg(body: Readonly<Record<string, unknown>>): string {
  const msg = body['msg'] ?? body['StatusMessage'];
  return typeof msg === 'string' ? msg : '';
}

/** Characters of a non-JSON answer (an HTML error page) kept in the audit row. */
export const MAX_AUDIT_BODY_CHARS = 2048;

/**
 * What of an HTTP answer goes into the audit row: status, Feishu log id and body, secrets removed.
 * Redacted before it is cut short: a cut through a secret echoed back (an error page quoting the
 * hook URL) would leave a piece that no longer matches it, and that piece would be stored.
 */
export function describeFeishuResponse(
  response: HttpResponse,
  secrets: readonly string[],
): Record<string, unknown> {
  const logId = response.headers['x-tt-logid'];
  return {
    status: response.status,
    ...(logId !== undefined ? { logId: redactText(logId, secrets) } : {}),
    body:
      response.json !== undefined
        ? redactDeep(response.json, secrets)
        : redactText(response.text, secrets).slice(0, MAX_AUDIT_BODY_CHARS),
  };
}

/** A one-line failure message from a Feishu code and msg. */
export function feishuFailureMessage(status: number, code: number, msg: string): string {
  const parts = [`HTTP ${status}`];
  if (code !== 0) parts.push(`code ${code}`);
  if (msg !== '') parts.push(msg);
  return `Feishu answered ${parts.join(', ')}`;
}

/** Feishu's own rate-limit reset header (seconds), read before `Retry-After` as the official CLI does. */
export const FEISHU_RESET_HEADER = 'x-ogw-ratelimit-reset';

/** The retryAfterMs to report for a failed Feishu call, from the answer's headers. */
export function feishuRetryHint(
  errorCode: string,
  headers: Readonly<Record<string, string>>,
  nowMs: number,
): number | undefined {
  return retryHintFor(errorCode, headers, nowMs, { resetHeader: FEISHU_RESET_HEADER });
}

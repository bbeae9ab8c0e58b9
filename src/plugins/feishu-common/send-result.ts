import type { SendResult } from '../../core/contract/index.js';
import type { Classification } from './classification.js';
import type { HttpResponse } from './http-call.js';
import { redactDeep, redactText } from './redact.js';

/** Inputs for a failed SendResult. */
export interface FailureInput {
  readonly classification: Classification;
  readonly message: string;
  readonly outcomeUnknown?: boolean;
  readonly retryAfterMs?: number | undefined;
  readonly requestPayload?: unknown;
  readonly responsePayload?: unknown;
}

/** A failure result with every secret scrubbed from the message and payloads. */
export function failureResult(input: FailureInput, secrets: readonly string[]): SendResult {
  return {
    outcome: input.classification.outcome,
    errorCode: input.classification.errorCode,
    errorMessage: redactText(input.message, secrets),
    outcomeUnknown: input.outcomeUnknown ?? false,
    ...(input.retryAfterMs !== undefined ? { retryAfterMs: input.retryAfterMs } : {}),
    ...(input.requestPayload !== undefined
      ? { requestPayload: redactDeep(input.requestPayload, secrets) }
      : {}),
    ...(input.responsePayload !== undefined
      ? { responsePayload: redactDeep(input.responsePayload, secrets) }
      : {}),
  };
}

/** A success result with payloads scrubbed. */
export function successResult(
  providerMessageId: string | undefined,
  requestPayload: unknown,
  responsePayload: unknown,
  secrets: readonly string[],
): SendResult {
  return {
    outcome: 'success',
    ...(providerMessageId !== undefined ? { providerMessageId } : {}),
    requestPayload: redactDeep(requestPayload, secrets),
    responsePayload: redactDeep(responsePayload, secrets),
  };
}

/** Characters of a non-JSON answer (an HTML error page) kept in the audit row. */
export const MAX_AUDIT_BODY_CHARS = 2048;

/**
 * What of an HTTP answer goes into the audit row: status, Feishu log id and body, secrets removed.
 * Redacted before it is cut short: a cut through a secret echoed back (an error page quoting the
 * hook URL) would leave a piece that no longer matches it, and that piece would be stored.
 */
export function describeResponse(
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

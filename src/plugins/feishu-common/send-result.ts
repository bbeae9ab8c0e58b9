import type { SendResult } from '../../core/contract/index.js';
import type { Classification } from './classification.js';
import type { HttpResponse } from '../http-kit/http-call.js';
import { redactDeep, redactText } from '../http-kit/redact.js';

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

/** What of an HTTP answer goes into the audit row: status, Feishu log id and body. */
export function describeResponse(response: HttpResponse): Record<string, unknown> {
  const logId = response.headers['x-tt-logid'];
  return {
    status: response.status,
    ...(logId !== undefined ? { logId } : {}),
    body: response.json !== undefined ? response.json : response.text.slice(0, 2048),
  };
}

/** A one-line failure message from a Feishu code and msg. */
export function feishuFailureMessage(status: number, code: number, msg: string): string {
  const parts = [`HTTP ${status}`];
  if (code !== 0) parts.push(`code ${code}`);
  if (msg !== '') parts.push(msg);
  return `Feishu answered ${parts.join(', ')}`;
}

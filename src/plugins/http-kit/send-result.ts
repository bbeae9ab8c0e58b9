import type { SendResult } from '../../core/contract/index.js';
import { redactDeep, redactText } from './redact.js';
import type { Classification } from './verdict.js';

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

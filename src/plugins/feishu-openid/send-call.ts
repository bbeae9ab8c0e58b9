import { feishuRetryHint } from '../feishu-common/feishu-response.js';
import { ProviderErrorCode, type SendResult } from '../../core/contract/index.js';
import { judgeFeishuResponse } from '../feishu-common/feishu-response.js';
import { isRecord, type HttpResponse } from '../http-kit/http-call.js';
import type { TransportFailure } from '../http-kit/transport-failure.js';
import { permanent } from '../http-kit/verdict.js';
import { failureResult, successResult } from '../http-kit/send-result.js';
import { describeFeishuResponse, feishuFailureMessage } from '../feishu-common/feishu-response.js';
import { judgeTransportFailure } from '../http-kit/transport-verdict.js';
import { SEND_CODE_TABLE, TOKEN_INVALID_CODES } from './classify.js';
import type { ImMessage } from './message-builder.js';

/** The full im/v1 body. */
export interface OutgoingMessage extends ImMessage {
  readonly receive_id: string;
  /** The notification's idempotency key: Feishu sends one message per uuid per hour. */
  readonly uuid: string;
}

/** Context for judging one answer. */
export interface JudgeContext {
  readonly requestPayload: unknown;
  readonly secrets: readonly string[];
  readonly nowMs: number;
  /** True on the call made after evicting a rejected token: a second rejection is final. */
  readonly retried: boolean;
  /** Sends answer `data.message_id`; updates, recalls and lookups do not. */
  readonly expectMessageId?: boolean;
}

/** A final result, or a request to refetch the token and try once more. */
export type SendJudgement =
  | { readonly kind: 'result'; readonly result: SendResult; readonly logId: string | undefined }
  | { readonly kind: 'refresh_token' };

/** Classifies an im/v1 answer (or transport failure) into a SendResult. */
export function judgeSendAnswer(
  answer: HttpResponse | TransportFailure,
  context: JudgeContext,
): SendJudgement {
  const { requestPayload, secrets } = context;
  if (answer.kind === 'failure') {
    // With a uuid a retry after an unknown outcome cannot duplicate, so it stays temporary.
    const verdict = judgeTransportFailure(answer);
    const input = { ...verdict, requestPayload };
    return { kind: 'result', result: failureResult(input, secrets), logId: undefined };
  }
  const responsePayload = describeFeishuResponse(answer, secrets);
  const logId = readLogId(answer);
  const verdict = judgeFeishuResponse(answer, SEND_CODE_TABLE);
  if (verdict.kind === 'accepted' && context.expectMessageId === false) {
    return {
      kind: 'result',
      result: successResult(undefined, requestPayload, responsePayload, secrets),
      logId,
    };
  }
  if (verdict.kind === 'accepted') {
    const data = verdict.body['data'];
    const messageId = isRecord(data) ? data['message_id'] : undefined;
    if (typeof messageId === 'string' && messageId !== '') {
      return {
        kind: 'result',
        result: successResult(messageId, requestPayload, responsePayload, secrets),
        logId,
      };
    }
    // code 0 without a message id: Feishu probably sent it, but we cannot prove it.
    const classification = permanent(ProviderErrorCode.badResponse);
    const input = {
      classification,
      message: 'Feishu answered code 0 without data.message_id',
      outcomeUnknown: true,
    };
    return {
      kind: 'result',
      result: failureResult({ ...input, requestPayload, responsePayload }, secrets),
      logId,
    };
  }
  if (!context.retried && TOKEN_INVALID_CODES.has(verdict.feishuCode)) return { kind: 'refresh_token' };
  const { classification } = verdict;
  const retryAfterMs =
    classification.outcome === 'temporary_fail'
      ? feishuRetryHint(classification.errorCode, answer.headers, context.nowMs)
      : undefined;
  const message = feishuFailureMessage(answer.status, verdict.feishuCode, verdict.feishuMsg);
  const input = { classification, message, outcomeUnknown: verdict.outcomeUnknown, retryAfterMs };
  return {
    kind: 'result',
    result: failureResult({ ...input, requestPayload, responsePayload }, secrets),
    logId,
  };
}

/** Feishu's trace id: the X-Tt-Logid header, else `error.log_id` in the body. */
function readLogId(answer: HttpResponse): string | undefined {
  const header = answer.headers['x-tt-logid'];
  if (header !== undefined) return header;
  const error = isRecord(answer.json) ? answer.json['error'] : undefined;
  const logId = isRecord(error) ? error['log_id'] : undefined;
  return typeof logId === 'string' ? logId : undefined;
}

import type { SendResult } from '../../core/contract/index.js';
import { failureResult } from '../http-kit/send-result.js';
import type { ApiCall, OpenidClient } from './openid-client.js';
import { judgeSendAnswer } from './send-call.js';

/** A classified open-platform call, with the answer's JSON body for callers that read data. */
export interface ApiOutcome {
  readonly result: SendResult;
  readonly body: unknown;
  readonly logId: string | undefined;
}

/** What judging a call needs besides the call. */
export interface RunOptions {
  readonly signal: AbortSignal;
  readonly requestPayload: unknown;
  /** Scrubbed from messages and payloads; the token used is added. */
  readonly secrets: readonly string[];
  readonly nowMs: () => number;
  readonly expectMessageId: boolean;
}

/**
 * Makes one call with a tenant token, classified like a send. At most two requests: the second
 * only after evicting a token Feishu called invalid (docs/feishu-notes.md §3.4).
 */
export async function runApiCall(
  client: OpenidClient,
  call: ApiCall,
  options: RunOptions,
): Promise<ApiOutcome> {
  const secrets = [...options.secrets];
  const { requestPayload } = options;
  for (const retried of [false, true]) {
    const attempt = await client.attempt(call, options.signal);
    if (attempt.kind === 'no_token') {
      return {
        result: failureResult({ ...attempt.failure, requestPayload }, secrets),
        body: undefined,
        logId: undefined,
      };
    }
    secrets.push(attempt.token);
    const judged = judgeSendAnswer(attempt.answer, {
      requestPayload,
      secrets,
      nowMs: options.nowMs(),
      retried,
      expectMessageId: options.expectMessageId,
    });
    if (judged.kind === 'result') {
      const body = attempt.answer.kind === 'response' ? attempt.answer.json : undefined;
      return { result: judged.result, body, logId: judged.logId };
    }
    client.evictToken(attempt.token);
  }
  throw new Error('unreachable: the second attempt always yields a result');
}

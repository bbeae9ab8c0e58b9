import { feishuRetryHint } from '../feishu-common/feishu-response.js';
import type { Dispatcher } from 'undici';
import { ProviderErrorCode } from '../../core/contract/index.js';
import { permanent, type Classification } from '../http-kit/verdict.js';
import { judgeFeishuResponse } from '../feishu-common/feishu-response.js';
import { postJson } from '../http-kit/http-call.js';
import { describeFeishuResponse, feishuFailureMessage } from '../feishu-common/feishu-response.js';
import { judgeTransportFailure } from '../http-kit/transport-verdict.js';
import { TOKEN_CODE_TABLE } from './classify.js';

/** Path of the legacy self-built-app token endpoint, the one the official SDKs use. */
export const TOKEN_PATH = '/open-apis/auth/v3/tenant_access_token/internal';

/** A token fetch result: the token and its remaining lifetime, or why there is none. */
export type TokenFetchResult =
  | { readonly kind: 'token'; readonly token: string; readonly expireSeconds: number }
  | {
      readonly kind: 'failure';
      readonly classification: Classification;
      readonly message: string;
      readonly retryAfterMs?: number | undefined;
      readonly responsePayload?: unknown;
    };

/** What a token fetch needs. */
export interface TokenRequest {
  readonly dispatcher: Dispatcher;
  readonly baseUrl: string;
  readonly appId: string;
  readonly appSecret: string;
  readonly deadlineMs: number;
  readonly nowMs: number;
}

/**
 * Fetches a tenant_access_token. Never throws. No message was sent yet, so every failure here has
 * a known outcome, even a timeout.
 */
export async function fetchTenantToken(input: TokenRequest): Promise<TokenFetchResult> {
  const body = JSON.stringify({ app_id: input.appId, app_secret: input.appSecret });
  const answer = await postJson(input.dispatcher, new URL(`${input.baseUrl}${TOKEN_PATH}`), body, {
    deadlineMs: input.deadlineMs,
  });
  if (answer.kind === 'failure') {
    const verdict = judgeTransportFailure(answer);
    return {
      kind: 'failure',
      classification: verdict.classification,
      message: `token fetch: ${verdict.message}`,
    };
  }
  const responsePayload = { token: describeFeishuResponse(answer, [input.appSecret]) };
  const verdict = judgeFeishuResponse(answer, TOKEN_CODE_TABLE);
  if (verdict.kind === 'rejected') {
    const { classification } = verdict;
    const retryAfterMs =
      classification.outcome === 'temporary_fail'
        ? feishuRetryHint(classification.errorCode, answer.headers, input.nowMs)
        : undefined;
    const message = `token fetch: ${feishuFailureMessage(answer.status, verdict.feishuCode, verdict.feishuMsg)}`;
    return { kind: 'failure', classification, message, retryAfterMs, responsePayload };
  }
  const token = verdict.body['tenant_access_token'];
  const expire = verdict.body['expire'];
  if (typeof token !== 'string' || token === '' || typeof expire !== 'number' || !(expire > 0)) {
    const classification = permanent(ProviderErrorCode.badResponse);
    return {
      kind: 'failure',
      classification,
      message: 'token fetch: answer lacks token or expire',
      responsePayload,
    };
  }
  return { kind: 'token', token, expireSeconds: expire };
}

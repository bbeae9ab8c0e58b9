import { feishuRetryHint } from '../feishu-common/feishu-response.js';
import { createHash } from 'node:crypto';
import {
  ProviderErrorCode,
  SettingsError,
  type ChannelProvider,
  type PluginContext,
  type SendRequest,
  type SendResult,
  type UpdateRequest,
} from '../../core/contract/index.js';
import { permanent, temporary, type Classification } from '../http-kit/verdict.js';
import { judgeFeishuResponse } from '../feishu-common/feishu-response.js';
import { createSafeAgent } from '../http-kit/http-agent.js';
import { postJson, type HttpResponse } from '../http-kit/http-call.js';
import { createRateLimiter } from '../http-kit/rate-limiter.js';
import { failureResult, successResult } from '../http-kit/send-result.js';
import { describeFeishuResponse, feishuFailureMessage } from '../feishu-common/feishu-response.js';
import { judgeTransportFailure } from '../http-kit/transport-verdict.js';
import { WEBHOOK_CODE_TABLE } from './classify.js';
import type { WebhookConfig } from './config.js';
import { prepareSend, type PreparedSend } from './prepare-send.js';
import { buildFollowUpBody } from './request-builder.js';
import { checkWebhookUrl } from './url-rules.js';

/** Creates the webhook provider: one agent and one limiter shared by all sends of the channel. */
export function createWebhookProvider(config: WebhookConfig, context: PluginContext): ChannelProvider {
  const agent = createSafeAgent(config);
  const limiter = createRateLimiter([
    { limit: config.ratePerSecond, windowMs: 1000 },
    { limit: config.ratePerMinute, windowMs: 60_000 },
  ]);
  let closed = false;

  const transmit = async (prepared: PreparedSend, signal: AbortSignal) => {
    // Keyed by a hash so the limiter never holds the credential itself.
    const key = createHash('sha256').update(prepared.url.href).digest('hex');
    const release = await limiter.acquire(key, signal);
    const deadlineMs = config.connectTimeoutMs + config.timeoutMs;
    return postJson(agent, prepared.url, prepared.body, { signal, deadlineMs }).finally(release);
  };

  const send = async (request: SendRequest): Promise<SendResult> => {
    const prepared = prepareSend(request, config, context);
    if ('outcome' in prepared) return prepared;
    const result = await post(prepared, request.signal);
    return prepared.fallbackReason !== undefined ? { ...result, fallbackUsed: true } : result;
  };

  // A custom bot cannot edit or recall its messages (docs/feishu-notes.md §8.5): an update is a follow-up.
  const update = async (request: UpdateRequest): Promise<SendResult> => {
    if (config.followUp === 'none') {
      return { outcome: 'skipped', errorCode: 'follow_up_disabled', errorMessage: 'followUp is none' };
    }
    const prepared = prepareSend(request, config, context, () => ({
      body: buildFollowUpBody(request, request.state),
    }));
    if ('outcome' in prepared) return prepared;
    return post(prepared, request.signal);
  };

  const post = async (prepared: PreparedSend, signal: AbortSignal): Promise<SendResult> => {
    const { audit: requestPayload, secrets } = prepared;
    if (closed) {
      const classification = temporary(ProviderErrorCode.networkError);
      return failureResult({ classification, message: 'provider is closed', requestPayload }, secrets);
    }
    const answer = await transmit(prepared, signal);
    if (answer.kind === 'response') return judge(answer, prepared, config, context.now().getTime());
    const verdict = judgeTransportFailure(answer);
    const classification = unknownOutcomePolicy(verdict.classification, verdict.outcomeUnknown, config);
    const input = { classification, message: verdict.message, outcomeUnknown: verdict.outcomeUnknown };
    return failureResult({ ...input, requestPayload }, secrets);
  };

  return {
    idempotent: false,
    send,
    update,
    validateSettings(settings) {
      const checked = checkWebhookUrl(settings['webhook_url'] ?? '', config);
      if ('problem' in checked) throw new SettingsError('webhook_url', checked.problem);
    },
    async close() {
      closed = true;
      await agent.destroy();
    },
  };
}

/** Turns an HTTP answer into the result; success needs 2xx + JSON + code/StatusCode 0 or absent. */
function judge(
  answer: HttpResponse,
  prepared: PreparedSend,
  config: WebhookConfig,
  nowMs: number,
): SendResult {
  const { audit: requestPayload, secrets } = prepared;
  const responsePayload = describeFeishuResponse(answer, secrets);
  const verdict = judgeFeishuResponse(answer, WEBHOOK_CODE_TABLE);
  if (verdict.kind === 'accepted') return successResult(undefined, requestPayload, responsePayload, secrets);
  const classification = unknownOutcomePolicy(verdict.classification, verdict.outcomeUnknown, config);
  const retryAfterMs =
    classification.outcome === 'temporary_fail'
      ? feishuRetryHint(classification.errorCode, answer.headers, nowMs)
      : undefined;
  const message = feishuFailureMessage(answer.status, verdict.feishuCode, verdict.feishuMsg);
  const input = { classification, message, outcomeUnknown: verdict.outcomeUnknown, retryAfterMs };
  return failureResult({ ...input, requestPayload, responsePayload }, secrets);
}

/**
 * The webhook has no dedup key (docs/feishu-notes.md §2.7): when Feishu may already have posted the message,
 * `retryOnUnknownOutcome: false` makes the failure final so the group never sees it twice.
 */
function unknownOutcomePolicy(
  classification: Classification,
  unknown: boolean,
  config: WebhookConfig,
): Classification {
  if (!unknown || config.retryOnUnknownOutcome) return classification;
  return permanent(classification.errorCode);
}

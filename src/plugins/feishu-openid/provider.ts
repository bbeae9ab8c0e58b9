import {
  ProviderErrorCode,
  type ChannelProvider,
  type PluginContext,
  type SendRequest,
  type SendResult,
} from '../../core/contract/index.js';
import { permanent, temporary } from '../http-kit/verdict.js';
import { failureResult } from '../http-kit/send-result.js';
import type { OpenidConfig } from './config.js';
import { buildImMessage, contentSizeProblem } from './message-builder.js';
import { OpenidClient } from './openid-client.js';
import { judgeSendAnswer, type OutgoingMessage } from './send-call.js';

/** im/v1 rejects a longer `uuid` (docs/feishu-notes.md §3.2). */
export const MAX_UUID_LENGTH = 50;

const SEND_PATH = '/open-apis/im/v1/messages?receive_id_type=open_id';

/** Creates the app-bot provider (idempotent: every retry reuses the same `uuid`). */
export function createOpenidProvider(config: OpenidConfig, context: PluginContext): ChannelProvider {
  const nowMs = (): number => context.now().getTime();
  const client = new OpenidClient(config, nowMs);
  let closed = false;

  const send = async (request: SendRequest): Promise<SendResult> => {
    const prepared = prepare(request);
    if ('outcome' in prepared) return prepared;
    const requestPayload = { path: SEND_PATH, body: prepared };
    const secrets: string[] = [config.appSecret];
    if (closed) {
      const classification = temporary(ProviderErrorCode.networkError);
      return failureResult({ classification, message: 'provider is closed', requestPayload }, secrets);
    }
    // At most two calls: the second only after evicting a token Feishu called invalid.
    for (const retried of [false, true]) {
      const attempt = await client.attempt(prepared, request.signal);
      if (attempt.kind === 'no_token') return failureResult({ ...attempt.failure, requestPayload }, secrets);
      secrets.push(attempt.token);
      const judged = judgeSendAnswer(attempt.answer, { requestPayload, secrets, nowMs: nowMs(), retried });
      if (judged.kind === 'result') {
        logFailure(context, request, judged.result, judged.logId);
        return judged.result;
      }
      client.evictToken(attempt.token);
    }
    throw new Error('unreachable: the second attempt always yields a result');
  };

  return {
    idempotent: true,
    send,
    async close() {
      closed = true;
      await client.close();
    },
  };
}

/** Pre-flight checks that avoid a wasted call; a SendResult means nothing was sent. */
function prepare(request: SendRequest): OutgoingMessage | SendResult {
  const openId = request.settings['open_id'] ?? '';
  if (openId === '') {
    return { outcome: 'skipped', errorCode: 'open_id_not_configured', errorMessage: 'no open_id set' };
  }
  const uuid = request.idempotencyKey;
  if (uuid === '' || uuid.length > MAX_UUID_LENGTH) {
    const message = `idempotencyKey must be 1..${MAX_UUID_LENGTH} characters (got ${uuid.length}) to serve as uuid`;
    return failureResult({ classification: permanent(ProviderErrorCode.payloadInvalid), message }, []);
  }
  const message = buildImMessage(request);
  const problem = contentSizeProblem(message);
  if (problem !== undefined) {
    return failureResult(
      { classification: permanent(ProviderErrorCode.payloadInvalid), message: problem },
      [],
    );
  }
  return { receive_id: openId, ...message, uuid };
}

/** Feishu support asks for the log id, so failures log it (never the token or secret). */
function logFailure(
  context: PluginContext,
  request: SendRequest,
  result: SendResult,
  logId: string | undefined,
): void {
  if (result.outcome === 'success') return;
  context.logger.warn(
    { notification_id: request.notificationId, error_code: result.errorCode, feishu_log_id: logId },
    'feishu im/v1 send failed',
  );
}

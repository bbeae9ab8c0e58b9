import {
  ProviderErrorCode,
  type ChannelProvider,
  type PluginContext,
  type RecallRequest,
  type SendRequest,
  type SendResult,
  type UpdateRequest,
} from '../../core/contract/index.js';
import { permanent, temporary } from '../http-kit/verdict.js';
import { failureResult } from '../http-kit/send-result.js';
import type { OpenidConfig } from './config.js';
import { ContactResolver } from './contact-resolver.js';
import { buildCardContent, buildImMessage, contentSizeProblem } from './message-builder.js';
import { OpenidClient } from './openid-client.js';
import { checkRecipientSettings, recipientOf, type ReceiveIdType } from './recipient.js';
import { runApiCall } from './run-api-call.js';
import type { OutgoingMessage } from './send-call.js';
import { createCallbackHandler } from './callback/callback-handler.js';

/** im/v1 rejects a longer `uuid` (docs/feishu-notes.md §3.2). */
export const MAX_UUID_LENGTH = 50;

const MESSAGES_PATH = '/open-apis/im/v1/messages';

/** A send ready for the wire, or a result that ends it before any call. */
type Prepared =
  | {
      readonly kind: 'ready';
      readonly message: OutgoingMessage;
      readonly receiveIdType: ReceiveIdType;
      readonly fallbackReason?: string | undefined;
    }
  | { readonly kind: 'done'; readonly result: SendResult };

/**
 * Creates the app-bot provider (idempotent: every retry reuses the same `uuid`). It sends text,
 * post or cards to an open_id, user_id, union_id, chat_id or a resolved email/mobile, PATCHes cards
 * to a new state, recalls messages and verifies card callbacks.
 */
export function createOpenidProvider(config: OpenidConfig, context: PluginContext): ChannelProvider {
  const nowMs = (): number => context.now().getTime();
  const client = new OpenidClient(config, nowMs);
  const secrets: readonly string[] = [config.appSecret];
  const contacts = new ContactResolver(client, config.idCacheTtlMs, nowMs, secrets);
  let closed = false;
  const closedResult = (requestPayload: unknown) =>
    failureResult(
      {
        classification: temporary(ProviderErrorCode.networkError),
        message: 'provider is closed',
        requestPayload,
      },
      secrets,
    );

  const prepare = async (request: SendRequest): Promise<Prepared> => {
    const recipient = recipientOf(request.settings);
    if (!recipient) {
      const result = {
        outcome: 'skipped',
        errorCode: 'open_id_not_configured',
        errorMessage: 'no recipient (open_id, user_id, union_id, chat_id, email or mobile) set',
      } as const;
      return { kind: 'done', result };
    }
    const uuid = request.idempotencyKey;
    if (uuid === '' || uuid.length > MAX_UUID_LENGTH) {
      const message = `idempotencyKey must be 1..${MAX_UUID_LENGTH} characters (got ${uuid.length}) to serve as uuid`;
      return {
        kind: 'done',
        result: failureResult({ classification: permanent(ProviderErrorCode.payloadInvalid), message }, []),
      };
    }
    const built = buildImMessage(request, config);
    const problem = contentSizeProblem(built.message);
    if (problem !== undefined) {
      return {
        kind: 'done',
        result: failureResult(
          { classification: permanent(ProviderErrorCode.payloadInvalid), message: problem },
          [],
        ),
      };
    }
    let receiveIdType: ReceiveIdType = 'open_id';
    let receiveId: string;
    if (recipient.kind === 'direct') {
      receiveIdType = recipient.receiveIdType;
      receiveId = recipient.receiveId;
    } else {
      const resolved = await contacts.resolve(recipient.by, recipient.value);
      if (resolved.kind === 'failed') return { kind: 'done', result: resolved.result };
      if (resolved.kind === 'not_found') {
        const result = {
          outcome: 'skipped',
          errorCode: 'recipient_not_found',
          errorMessage: `no Feishu user visible to this app has this ${recipient.by} (contact batch_get_id found none)`,
        } as const;
        return { kind: 'done', result };
      }
      receiveId = resolved.openId;
    }
    const message: OutgoingMessage = { receive_id: receiveId, ...built.message, uuid };
    return { kind: 'ready', message, receiveIdType, fallbackReason: built.fallbackReason };
  };

  const send = async (request: SendRequest): Promise<SendResult> => {
    const prepared = await prepare(request);
    if (prepared.kind === 'done') return prepared.result;
    const { message, receiveIdType } = prepared;
    const path = `${MESSAGES_PATH}?receive_id_type=${receiveIdType}`;
    const requestPayload = {
      path,
      body: message,
      ...(prepared.fallbackReason ? { fallbackReason: prepared.fallbackReason } : {}),
    };
    if (closed) return closedResult(requestPayload);
    const { result, logId } = await runApiCall(
      client,
      { method: 'POST', path, body: JSON.stringify(message), recipient: message.receive_id },
      { signal: request.signal, requestPayload, secrets, nowMs, expectMessageId: true },
    );
    logFailure(context, request.notificationId, 'send', result, logId);
    return prepared.fallbackReason !== undefined ? { ...result, fallbackUsed: true } : result;
  };

  const update = async (request: UpdateRequest): Promise<SendResult> => {
    if (config.msgType !== 'interactive' || !request.providerMessageId) {
      return {
        outcome: 'skipped',
        errorCode: 'not_a_card',
        errorMessage: 'only cards can be updated in place',
      };
    }
    const card = buildCardContent(request, config, request.state);
    if (card.kind === 'fallback') {
      const classification = permanent(ProviderErrorCode.payloadInvalid);
      return failureResult({ classification, message: card.reason }, []);
    }
    const path = `${MESSAGES_PATH}/${encodeURIComponent(request.providerMessageId)}`;
    const requestPayload = { method: 'PATCH', path, body: { content: card.card } };
    if (closed) return closedResult(requestPayload);
    const { result, logId } = await runApiCall(
      client,
      {
        method: 'PATCH',
        path,
        body: JSON.stringify({ content: card.json }),
        messageId: request.providerMessageId,
      },
      { signal: request.signal, requestPayload, secrets, nowMs, expectMessageId: false },
    );
    logFailure(context, request.notificationId, 'update', result, logId);
    return result;
  };

  const recall = async (request: RecallRequest): Promise<SendResult> => {
    const path = `${MESSAGES_PATH}/${encodeURIComponent(request.providerMessageId)}`;
    const requestPayload = { method: 'DELETE', path };
    if (closed) return closedResult(requestPayload);
    const { result, logId } = await runApiCall(
      client,
      { method: 'DELETE', path, messageId: request.providerMessageId },
      { signal: request.signal, requestPayload, secrets, nowMs, expectMessageId: false },
    );
    logFailure(context, request.notificationId, 'recall', result, logId);
    return result;
  };

  const callbacks = createCallbackHandler(config, context);

  return {
    idempotent: true,
    // Feishu sends at most one message per `uuid` within one hour (shared/reference/feishu.md).
    idempotencyWindowMs: 3_600_000,
    send,
    update,
    recall,
    recallWindowMs: config.recallWindowMs,
    ...callbacks,
    validateSettings: checkRecipientSettings,
    async close() {
      closed = true;
      await client.close();
    },
  };
}

/** Feishu support asks for the log id, so failures log it (never the token or secret). */
function logFailure(
  context: PluginContext,
  notificationId: string,
  kind: 'send' | 'update' | 'recall',
  result: SendResult,
  logId: string | undefined,
): void {
  if (result.outcome === 'success' || result.outcome === 'skipped') return;
  context.logger.warn(
    { notification_id: notificationId, kind, error_code: result.errorCode, feishu_log_id: logId },
    `feishu im/v1 ${kind} failed`,
  );
}

import { cardProblem, isSharedCard } from './card-schema.js';
import { authorize } from './messages-route.js';
import { feishuError, isObject, type Reply } from './reply.js';
import type { EmulatorState } from './state.js';

/** Feishu updates cards for 14 days (docs/feishu-notes.md §10). */
const UPDATE_WINDOW_MS = 14 * 86_400_000;
const DEFAULT_RECALL_WINDOW_MS = 86_400_000;

/** Inputs of one PATCH or DELETE on /open-apis/im/v1/messages/:message_id. */
export interface MessageCall {
  readonly method: 'PATCH' | 'DELETE';
  readonly messageId: string;
  readonly authorization: string | undefined;
  readonly bodyText: string;
}

/**
 * PATCH (card update) and DELETE (recall) of a sent message (docs/feishu-notes.md §10, §11, §16 emulator notes):
 * only the sending app's own messages; recalled → 230011; PATCH needs `update_multi` in both cards
 * (230099), a card, within 14 days (230031), ≤ 5/s per message (230020); DELETE within the tenant's
 * recall limit (230026, a choice: Feishu's code is not documented).
 */
export function handleMessage(state: EmulatorState, call: MessageCall): Reply {
  const auth = authorize(state, call.authorization);
  if ('status' in auth) return auth;
  const message = state.messages.get(call.messageId);
  if (!message || message.appId !== auth.token.appId)
    return feishuError(400, 230001, 'message_id is invalid');
  if (message.deleted) return feishuError(400, 230011, 'The message is recalled.');
  if (!message.window.hit()) return feishuError(400, 230020, 'This operation triggers the frequency limit.');
  const age = state.clock.now() - message.sentAt;
  if (call.method === 'DELETE') {
    if (age > (auth.app.options.recallWindowMs ?? DEFAULT_RECALL_WINDOW_MS)) {
      return feishuError(400, 230026, 'The message exceeds the recall time limit.');
    }
    message.deleted = true;
    return { status: 200, body: { code: 0, msg: 'success', data: {} } };
  }
  if (message.msgType !== 'interactive')
    return feishuError(400, 230001, 'invalid msg_type, only cards can be patched');
  if (age > UPDATE_WINDOW_MS) {
    return feishuError(
      400,
      230031,
      'Message has expired when updating message, ext=Message can only be updated within fourteen days.',
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(call.bodyText);
  } catch {
    return feishuError(400, 9499, 'Bad Request');
  }
  if (!isObject(body) || typeof body['content'] !== 'string')
    return feishuError(400, 230001, 'content must be a string of JSON');
  let card: unknown;
  try {
    card = JSON.parse(body['content']);
  } catch {
    return feishuError(400, 230001, 'content is not valid JSON');
  }
  const problem = cardProblem(card);
  if (problem) return feishuError(400, 230099, `Failed to create card content, ext=${problem}`);
  if (!isSharedCard(message.content) || !isSharedCard(card)) {
    return feishuError(
      400,
      230099,
      'Failed to create card content, ext=ErrCode: 200800; update_multi must be true',
    );
  }
  message.content = card;
  message.updates.push(card);
  return { status: 200, body: { code: 0, msg: 'success', data: {} } };
}

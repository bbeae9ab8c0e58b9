import { SlidingWindow } from './clock.js';
import { cardProblem } from './card-schema.js';
import { feishuError, isObject, randomHex, type Reply } from './reply.js';
import type { AppState, EmulatorState, TokenState, UserState } from './state.js';

/** Inputs of one im/v1 send. */
export interface MessagesCall {
  readonly authorization: string | undefined;
  readonly receiveIdType: string | null;
  readonly bodyText: string;
}

const UUID_WINDOW_MS = 3600_000;
const MSG_TYPES = new Set([
  'text',
  'post',
  'image',
  'file',
  'audio',
  'media',
  'sticker',
  'interactive',
  'share_chat',
  'share_user',
  'system',
]);
const TEXT_MAX = 150 * 1024;
const RICH_MAX = 30 * 1024;

/**
 * POST /open-apis/im/v1/messages (docs/feishu-notes.md §5). Order (a choice): auth → app rate → query →
 * JSON → uuid replay → fields → size → recipient → user rate → accept.
 */
export function handleMessages(state: EmulatorState, call: MessagesCall): Reply {
  const auth = authorize(state, call.authorization);
  if ('status' in auth) return auth;
  const { app, token } = auth;
  if (!app.window.hit()) {
    const limit = String(app.options.ratePerSecond ?? 50);
    const headers = { 'x-ogw-ratelimit-limit': limit, 'x-ogw-ratelimit-reset': '1' };
    return feishuError(429, 99991400, 'request trigger frequency limit', headers);
  }
  if (!RECEIVE_ID_TYPES.has(call.receiveIdType ?? ''))
    return feishuError(400, 230001, 'invalid receive_id_type');
  let body: unknown;
  try {
    body = JSON.parse(call.bodyText);
  } catch {
    return feishuError(400, 9499, 'Bad Request');
  }
  if (!isObject(body)) return feishuError(400, 9499, 'Bad Request');
  const uuid = body['uuid'];
  if (uuid !== undefined && (typeof uuid !== 'string' || uuid.length > 50)) {
    return feishuError(400, 230001, 'invalid uuid, its length must not exceed 50');
  }
  const replay = typeof uuid === 'string' ? replayFor(app, uuid, state.clock.now()) : undefined;
  if (replay) return { status: 200, body: replay };
  return validateAndAccept(state, app, token.appId, body, call.receiveIdType as string);
}

const RECEIVE_ID_TYPES = new Set(['open_id', 'user_id', 'union_id', 'email', 'chat_id']);

/** The app and token of an `Authorization: Bearer` header, or the error Feishu answers. */
export function authorize(
  state: EmulatorState,
  authorization: string | undefined,
): { app: AppState; token: TokenState } | Reply {
  const match = /^Bearer (.+)$/.exec(authorization ?? '');
  if (!match)
    return feishuError(
      400,
      99991661,
      'Missing access token for authorization. Please make a request with token attached.',
    );
  const token = state.tokens.get(match[1] as string);
  if (!token || token.revoked || token.expiresAt <= state.clock.now()) {
    return feishuError(
      400,
      99991663,
      'Invalid access token for authorization. Please make a request with token attached.',
    );
  }
  return { app: state.apps.get(token.appId) as AppState, token };
}

function replayFor(app: AppState, uuid: string, now: number): Record<string, unknown> | undefined {
  const seen = app.uuids.get(uuid);
  if (!seen) return undefined;
  if (now - seen.at < UUID_WINDOW_MS) return seen.body;
  app.uuids.delete(uuid);
  return undefined;
}

function validateAndAccept(
  state: EmulatorState,
  app: AppState,
  appId: string,
  body: Record<string, unknown>,
  receiveIdType: string,
): Reply {
  const { msg_type: msgType, content, receive_id: receiveId, uuid } = body;
  if (typeof msgType !== 'string' || !MSG_TYPES.has(msgType))
    return feishuError(400, 230001, 'invalid msg_type');
  if (typeof content !== 'string') return feishuError(400, 230001, 'content must be a string of JSON');
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return feishuError(400, 230001, 'content is not valid JSON');
  }
  const max = msgType === 'text' ? TEXT_MAX : RICH_MAX;
  if (Buffer.byteLength(content, 'utf8') > max)
    return feishuError(400, 230025, 'The message content is too long');
  if (!isObject(parsed)) return feishuError(400, 230001, 'content must be a JSON object');
  if (msgType === 'interactive') {
    const problem = cardProblem(parsed);
    if (problem) return feishuError(400, 230099, `Failed to create card content, ext=${problem}`);
  }
  if (typeof receiveId !== 'string') return feishuError(400, 230001, 'receive_id is required');
  const target = findRecipient(app, receiveIdType, receiveId);
  if ('status' in target) return target;
  if (!target.window.hit()) return feishuError(400, 230020, 'This operation triggers the frequency limit.');
  const success = successBody(appId, receiveId, msgType, content, state.clock.now());
  const messageId = (success['data'] as Record<string, unknown>)['message_id'] as string;
  if (typeof uuid === 'string') app.uuids.set(uuid, { at: state.clock.now(), body: success });
  state.messages.set(messageId, {
    messageId,
    appId,
    msgType,
    content: parsed,
    sentAt: state.clock.now(),
    deleted: false,
    updates: [],
    window: new SlidingWindow(5, 1000),
  });
  state.received.push({
    route: 'messages',
    appId,
    receiveIdType,
    receiveId,
    ...(target.openId !== undefined ? { openId: target.openId } : {}),
    msgType,
    body,
    messageId,
    at: new Date(state.clock.now()),
    ...(typeof uuid === 'string' ? { uuid } : {}),
  });
  return { status: 200, body: success };
}

function successBody(
  appId: string,
  _openId: string,
  msgType: string,
  content: string,
  now: number,
): Record<string, unknown> {
  return {
    code: 0,
    msg: 'success',
    data: {
      message_id: `om_${randomHex(16)}`,
      chat_id: `oc_${randomHex(16)}`,
      msg_type: msgType,
      create_time: String(now),
      update_time: String(now),
      deleted: false,
      updated: false,
      sender: { id: appId, id_type: 'app_id', sender_type: 'app', tenant_key: 'emulator' },
      body: { content },
      mentions: [],
    },
  };
}

/** The user or group a receive id names, with its rate window, or the error Feishu answers. */
function findRecipient(
  app: AppState,
  receiveIdType: string,
  receiveId: string,
): { window: SlidingWindow; openId?: string } | Reply {
  if (receiveIdType === 'chat_id') {
    const chat = app.chats.get(receiveId);
    if (!chat) return feishuError(400, 230034, 'The receive_id is invalid');
    if (chat.botIsMember === false) return feishuError(400, 230002, 'The bot is not in the chat.');
    return { window: chat.window };
  }
  let found: [string, UserState] | undefined;
  for (const entry of app.users) {
    const [openId, user] = entry;
    const ids: Record<string, string | undefined> = {
      open_id: openId,
      user_id: user.options.userId,
      union_id: user.options.unionId,
      email: user.options.email,
    };
    if (ids[receiveIdType] === receiveId) found = entry;
  }
  if (!found) return feishuError(400, 230034, 'The receive_id is invalid');
  const [openId, user] = found;
  if (user.options.inAvailability === false)
    return feishuError(400, 230013, 'Bot has NO availability to this user.');
  if (user.options.blockedBot === true)
    return feishuError(400, 230053, 'The user has stopped the bot from sending messages to him.');
  return { window: user.window, openId };
}

import { cardProblem } from './card-schema.js';
import { createHmac } from 'node:crypto';
import { BlockList, isIPv4 } from 'node:net';
import { isObject, plainCode, type Reply } from './reply.js';
import type { EmulatorState, WebhookState } from './state.js';

/** Inputs of one webhook call. */
export interface WebhookCall {
  readonly token: string;
  readonly bodyText: string;
  readonly remoteAddress: string;
}

const MAX_BODY_BYTES = 20 * 1024;
const SKEW_SECONDS = 3600;
const MSG_TYPES = new Set(['text', 'post', 'image', 'share_chat', 'interactive']);
const SUCCESS = { StatusCode: 0, StatusMessage: 'success', code: 0, data: {}, msg: 'success' };

/**
 * POST /open-apis/bot/v2/hook/:token (docs/feishu-notes.md §5). Check order (undocumented, fixed here):
 * token → rate → size → JSON → signature → IP → msg_type → content shape → keywords.
 */
export function handleWebhook(state: EmulatorState, call: WebhookCall): Reply {
  const hook = state.webhooks.get(call.token);
  if (!hook) return plainCode(200, 19001, 'param invalid: incoming webhook access token invalid');
  const perSecondOk = hook.perSecond.hit();
  const perMinuteOk = hook.perMinute.hit();
  if (!perSecondOk || !perMinuteOk) {
    return plainCode(200, 11232, 'frequency limited psm[lark.oapi.app_platform_runtime]appID[emulator]');
  }
  if (Buffer.byteLength(call.bodyText, 'utf8') > MAX_BODY_BYTES) return plainCode(200, 9499, 'Bad Request');
  let body: unknown;
  try {
    body = JSON.parse(call.bodyText);
  } catch {
    return plainCode(200, 9499, 'Bad Request: fail to parse content');
  }
  if (!isObject(body)) return plainCode(200, 9499, 'Bad Request');
  const rejection = checkSecurity(state, hook, body, call.remoteAddress) ?? checkContent(hook, body);
  if (rejection) return rejection;
  state.received.push({
    route: 'webhook',
    token: call.token,
    msgType: String(body['msg_type']),
    body,
    at: new Date(state.clock.now()),
  });
  return { status: 200, body: SUCCESS };
}

function checkSecurity(
  state: EmulatorState,
  hook: WebhookState,
  body: Record<string, unknown>,
  remoteAddress: string,
): Reply | undefined {
  const { secret, ipAllowlist = [] } = hook.options;
  if (secret !== undefined && !signatureValid(secret, body, state.clock.now())) {
    return plainCode(200, 19021, 'sign match fail or timestamp is not within one hour from current time');
  }
  if (ipAllowlist.length > 0 && !ipAllowed(ipAllowlist, remoteAddress))
    return plainCode(200, 19022, 'Ip Not Allowed');
  return undefined;
}

function checkContent(hook: WebhookState, body: Record<string, unknown>): Reply | undefined {
  const msgType = body['msg_type'];
  if (typeof msgType !== 'string' || !MSG_TYPES.has(msgType)) {
    return plainCode(200, 19002, 'param invalid: msg_type is invalid');
  }
  if (!shapeValid(msgType, body)) return plainCode(200, 9499, 'Bad Request');
  const keywords = hook.options.keywords ?? [];
  if (keywords.length > 0) {
    const text = collectText(msgType === 'interactive' ? body['card'] : body['content'], undefined).join(
      '\n',
    );
    if (!keywords.some((keyword) => text.includes(keyword)))
      return plainCode(200, 19024, 'Key Words Not Found');
  }
  return undefined;
}

/** The documented algorithm, written independently of the plugin so tests cross-check it. */
function signatureValid(secret: string, body: Record<string, unknown>, nowMs: number): boolean {
  const timestamp = body['timestamp'];
  const sign = body['sign'];
  const ts = typeof timestamp === 'number' ? String(timestamp) : timestamp;
  if (typeof ts !== 'string' || !/^\d+$/.test(ts) || typeof sign !== 'string') return false;
  if (Math.abs(nowMs / 1000 - Number(ts)) > SKEW_SECONDS) return false;
  const expected = createHmac('sha256', `${ts}\n${secret}`).digest('base64');
  return expected === sign;
}

function ipAllowed(allowlist: readonly string[], remote: string): boolean {
  const ip = remote.startsWith('::ffff:') ? remote.slice(7) : remote;
  if (!isIPv4(ip)) return false;
  return allowlist.some((entry) => {
    if (entry.includes('*'))
      return new RegExp(`^${entry.replace(/\./g, '\\.').replace(/\*/g, '\\d+')}$`).test(ip);
    const [network, prefix] = entry.split('/');
    const list = new BlockList();
    list.addSubnet(network ?? entry, prefix === undefined ? 32 : Number(prefix), 'ipv4');
    return list.check(ip, 'ipv4');
  });
}

function shapeValid(msgType: string, body: Record<string, unknown>): boolean {
  // The webhook takes the card as an object under `card` (im/v1 takes a string under `content`).
  if (msgType === 'interactive') return cardProblem(body['card']) === undefined;
  const content = body['content'];
  if (!isObject(content)) return false;
  switch (msgType) {
    case 'text':
      return typeof content['text'] === 'string';
    case 'post':
      return isObject(content['post']) && Object.keys(content['post']).length > 0;
    case 'image':
      return typeof content['image_key'] === 'string';
    default:
      return typeof content['share_chat_id'] === 'string';
  }
}

/** Text values Feishu scans for keywords: `text`, `title`, `content` strings — never `href`/`url`. */
function collectText(value: unknown, key: string | undefined): string[] {
  if (typeof value === 'string') return key === 'text' || key === 'title' || key === 'content' ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((item) => collectText(item, key));
  if (isObject(value)) return Object.entries(value).flatMap(([inner, child]) => collectText(child, inner));
  return [];
}

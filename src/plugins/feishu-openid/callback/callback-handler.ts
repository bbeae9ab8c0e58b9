import type {
  CallbackAnswerInput,
  CallbackRequest,
  CallbackVerdict,
  PluginContext,
} from '../../../core/contract/index.js';
import { isRecord } from '../../http-kit/http-call.js';
import { cardLocale, labelsFor } from '../../feishu-common/card/card-labels.js';
import type { OpenidConfig } from '../config.js';
import { buildCardContent } from '../message-builder.js';
import { callbackSignature, decryptCallback, safeEqual } from './callback-crypto.js';

type Rejected = Extract<CallbackVerdict, { kind: 'rejected' }>;

const reject = (reason: Rejected['reason'], detail: string): Rejected => ({
  kind: 'rejected',
  reason,
  detail,
});

/**
 * Card action callbacks (`card.action.trigger`, schema 2.0; docs/feishu-notes.md §14): URL verification,
 * Encrypt Key decryption, the signature over timestamp + nonce + key + raw body, a timestamp window
 * (Feishu documents none; we refuse anything older than `callbackMaxSkewMs`, which also bounds how
 * long the core must remember event ids for replay detection), and the Verification Token. Only
 * served when `verificationToken` is configured.
 */
export function createCallbackHandler(config: OpenidConfig, context: PluginContext) {
  if (config.verificationToken === '') return {};
  const token = config.verificationToken;
  const encryptKey = config.encryptKey;

  const verifyCallback = (request: CallbackRequest): CallbackVerdict => {
    let outer: unknown;
    try {
      outer = JSON.parse(request.body);
    } catch {
      return reject('malformed', 'body is not JSON');
    }
    if (!isRecord(outer)) return reject('malformed', 'body is not a JSON object');
    let payload: unknown = outer;
    if (typeof outer['encrypt'] === 'string') {
      if (encryptKey === '')
        return reject('undecryptable', 'encrypted callback but no encryptKey configured');
      try {
        payload = JSON.parse(decryptCallback(outer['encrypt'], encryptKey));
      } catch {
        return reject('undecryptable', 'cannot decrypt with the configured encryptKey');
      }
    } else if (encryptKey !== '') {
      return reject('undecryptable', 'plaintext callback but an encryptKey is configured');
    }
    if (!isRecord(payload)) return reject('malformed', 'decrypted payload is not a JSON object');
    // URL verification is answered before the signature check, as every official SDK does.
    if (payload['type'] === 'url_verification') {
      if (typeof payload['token'] !== 'string' || !safeEqual(payload['token'], token)) {
        return reject('bad_token', 'url_verification token mismatch');
      }
      return { kind: 'reply', body: { challenge: payload['challenge'] } };
    }
    const signed = checkSignature(request);
    if (signed) return signed;
    const header = isRecord(payload['header']) ? payload['header'] : {};
    const presented = typeof header['token'] === 'string' ? header['token'] : payload['token'];
    if (typeof presented !== 'string' || !safeEqual(presented, token)) {
      return reject('bad_token', 'verification token mismatch');
    }
    return readAction(payload, header);
  };

  const checkSignature = (request: CallbackRequest): Rejected | undefined => {
    const timestamp = request.headers['x-lark-request-timestamp'] ?? '';
    const nonce = request.headers['x-lark-request-nonce'] ?? '';
    const signature = request.headers['x-lark-signature'] ?? '';
    if (encryptKey !== '') {
      if (timestamp === '' || nonce === '' || signature === '')
        return reject('bad_signature', 'signature headers missing');
      if (
        !safeEqual(signature.toLowerCase(), callbackSignature(timestamp, nonce, encryptKey, request.body))
      ) {
        return reject('bad_signature', 'X-Lark-Signature does not match');
      }
    }
    const seconds = Number(timestamp);
    if (timestamp === '' || !Number.isFinite(seconds)) return reject('stale', 'no request timestamp');
    const skewMs = Math.abs(context.now().getTime() - seconds * 1000);
    if (skewMs > config.callbackMaxSkewMs)
      return reject('stale', `request timestamp is ${Math.round(skewMs / 1000)} s off`);
    return undefined;
  };

  const answerCallback = (input: CallbackAnswerInput): unknown => {
    const labels = labelsFor(cardLocale(input.locale));
    const toast = input.acknowledged
      ? {
          type: 'success',
          content: labels.acknowledgedToast,
          i18n: { zh_cn: '已确认', en_us: 'Acknowledged' },
        }
      : {
          type: 'info',
          content: labels.acknowledgedToast,
          i18n: { zh_cn: '已确认', en_us: 'Already acknowledged' },
        };
    if (!input.update) return { toast };
    const card = buildCardContent(input.update, config, input.update.state);
    return card.kind === 'card' ? { toast, card: { type: 'raw', data: card.card } } : { toast };
  };

  return { verifyCallback, answerCallback };
}

/** The acknowledge action of a `card.action.trigger` callback. */
function readAction(payload: Record<string, unknown>, header: Record<string, unknown>): CallbackVerdict {
  const eventType = header['event_type'];
  if (eventType !== 'card.action.trigger') return reject('unsupported', `event type ${String(eventType)}`);
  const eventId = header['event_id'];
  const event = isRecord(payload['event']) ? payload['event'] : {};
  const action = isRecord(event['action']) ? event['action'] : {};
  const value = isRecord(action['value']) ? action['value'] : {};
  const operator = isRecord(event['operator']) ? event['operator'] : {};
  if (typeof eventId !== 'string' || eventId === '') return reject('malformed', 'header.event_id missing');
  if (value['action'] !== 'ack' || typeof value['notification_id'] !== 'string') {
    return reject('unsupported', 'not an acknowledge button');
  }
  const who = operator['open_id'] ?? operator['user_id'] ?? operator['union_id'];
  return {
    kind: 'acknowledge',
    eventId,
    notificationId: value['notification_id'],
    operator: typeof who === 'string' && who !== '' ? who : 'feishu-user',
  };
}

import type { MessageState, SendRequest } from '../../core/contract/index.js';
import { cardInputOf, formatCardTime } from '../feishu-common/card/card-input.js';
import { cardLocale } from '../feishu-common/card/card-labels.js';
import { renderCard } from '../feishu-common/card/render-card.js';
import type { WebhookConfig } from './config.js';

/** Feishu rejects webhook bodies over 20 KB (docs/feishu-notes.md §2.6); checked before sending. */
export const MAX_WEBHOOK_BODY_BYTES = 20 * 1024;

/** Room left for msg_type, timestamp and sign around a card in a webhook body. */
const ENVELOPE_BYTES = 256;

/** A webhook JSON body before signing. */
export type WebhookBody = Record<string, unknown> & { msg_type: string };

/** A built body, and why the card gave way to text (when it did). */
export interface BuiltBody {
  readonly body: WebhookBody;
  readonly fallbackReason?: string;
}

/**
 * Builds the webhook body. A `text` channel gets upgraded to `post` when the request carries a
 * link, since plain text cannot carry a titled hyperlink. The webhook nests the locale under
 * `content.post` and takes the card as an object under `card` — unlike im/v1 — so this builder is
 * deliberately not shared with feishu-openid. Cards carry link buttons only: a custom bot cannot
 * answer callbacks (docs/feishu-notes.md §8.5).
 */
export function buildWebhookBody(request: SendRequest, config: WebhookConfig): BuiltBody {
  const url = request.target?.url ?? '';
  if (config.msgType === 'interactive') {
    const card = renderCard(
      cardInputOf(request),
      config,
      { ackButton: false, ackButtonText: '' },
      MAX_WEBHOOK_BODY_BYTES - ENVELOPE_BYTES,
    );
    if (card.kind === 'card') return { body: { msg_type: 'interactive', card: card.card } };
    return { body: textOrPost(request, url), fallbackReason: card.reason };
  }
  if (config.msgType === 'post') {
    return { body: { msg_type: 'post', content: { post: { zh_cn: buildPost(request, url) } } } };
  }
  return { body: textOrPost(request, url) };
}

/** The short follow-up a webhook bot posts when its message was acknowledged or resolved. */
export function buildFollowUpBody(request: SendRequest, state: MessageState): WebhookBody {
  const english = cardLocale(request.locale) === 'en_us';
  const title = messageTitle(request);
  const lines: string[] = [];
  if (state.resolvedAt) {
    const at = formatCardTime(state.resolvedAt);
    lines.push(english ? `✅ Resolved at ${at}: ${title}` : `✅ 已于 ${at} 恢复：${title}`);
  }
  if (state.acknowledgedBy) {
    const at = formatCardTime(state.acknowledgedAt ?? new Date(0));
    lines.push(
      english
        ? `👀 Acknowledged by ${state.acknowledgedBy} (${at}): ${title}`
        : `👀 已由 ${state.acknowledgedBy} 确认（${at}）：${title}`,
    );
  }
  return { msg_type: 'text', content: { text: lines.join('\n') } };
}

/** Adds the signature fields at the top level, where Feishu looks for them (not headers). */
export function withSignature(body: WebhookBody, timestamp: string, sign: string): WebhookBody {
  return { timestamp, sign, ...body };
}

/** Title of post/card messages: an explicit `metadata.title`, else the trigger type. */
export function messageTitle(request: SendRequest): string {
  return request.metadata['title'] ?? request.triggerType;
}

function textOrPost(request: SendRequest, url: string): WebhookBody {
  if (url !== '') return { msg_type: 'post', content: { post: { zh_cn: buildPost(request, url) } } };
  return { msg_type: 'text', content: { text: request.text } };
}

function buildPost(request: SendRequest, url: string): Record<string, unknown> {
  const lines: unknown[][] = [[{ tag: 'text', text: request.text }]];
  if (url !== '') lines.push([{ tag: 'a', text: request.metadata['linkText'] ?? url, href: url }]);
  return { title: messageTitle(request), content: lines };
}

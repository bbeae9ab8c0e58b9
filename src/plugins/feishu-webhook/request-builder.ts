import type { SendRequest } from '../../core/contract/index.js';
import type { WebhookMsgType } from './config.js';

/** Feishu rejects webhook bodies over 20 KB (docs/feishu-notes.md §2.6); checked before sending. */
export const MAX_WEBHOOK_BODY_BYTES = 20 * 1024;

/** A webhook JSON body before signing. */
export type WebhookBody = Record<string, unknown> & { msg_type: string };

/**
 * Builds the webhook body. A `text` channel gets upgraded to `post` when the request carries a
 * link, since plain text cannot carry a titled hyperlink. The webhook nests the locale under
 * `content.post` — unlike im/v1 — so this builder is deliberately not shared with feishu-openid.
 */
export function buildWebhookBody(request: SendRequest, msgType: WebhookMsgType): WebhookBody {
  const url = request.target?.url ?? '';
  if (msgType === 'interactive') return { msg_type: 'interactive', card: buildCard(request, url) };
  if (msgType === 'post' || url !== '') {
    return { msg_type: 'post', content: { post: { zh_cn: buildPost(request, url) } } };
  }
  return { msg_type: 'text', content: { text: request.text } };
}

/** Adds the signature fields at the top level, where Feishu looks for them (not headers). */
export function withSignature(body: WebhookBody, timestamp: string, sign: string): WebhookBody {
  return { timestamp, sign, ...body };
}

/** Title of post/card messages: an explicit `metadata.title`, else the trigger type. */
export function messageTitle(request: SendRequest): string {
  return request.metadata['title'] ?? request.triggerType;
}

function buildPost(request: SendRequest, url: string): Record<string, unknown> {
  const lines: unknown[][] = [[{ tag: 'text', text: request.text }]];
  if (url !== '') lines.push([{ tag: 'a', text: request.metadata['linkText'] ?? url, href: url }]);
  return { title: messageTitle(request), content: lines };
}

function buildCard(request: SendRequest, url: string): Record<string, unknown> {
  const elements: unknown[] = [{ tag: 'div', text: { tag: 'plain_text', content: request.text } }];
  if (url !== '') {
    // Custom bots only support URL-jump actions on cards, no callbacks (docs/feishu-notes.md §2.2).
    const button = {
      tag: 'button',
      text: { tag: 'plain_text', content: request.metadata['linkText'] ?? 'Open' },
      type: 'primary',
      url,
    };
    elements.push({ tag: 'action', actions: [button] });
  }
  return {
    config: { wide_screen_mode: true },
    header: { title: { tag: 'plain_text', content: messageTitle(request) } },
    elements,
  };
}

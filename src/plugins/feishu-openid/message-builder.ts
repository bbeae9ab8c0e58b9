import type { SendRequest } from '../../core/contract/index.js';
import { cardInputOf, type CardState } from '../feishu-common/card/card-input.js';
import { renderCard } from '../feishu-common/card/render-card.js';
import type { OpenidConfig } from './config.js';

/** im/v1 content caps (docs/feishu-notes.md §3.3): text 150 KB, post/card 30 KB, measured on the string. */
export const MAX_TEXT_CONTENT_BYTES = 150 * 1024;
export const MAX_POST_CONTENT_BYTES = 30 * 1024;

/** The im/v1 body minus `receive_id` and `uuid`. */
export interface ImMessage {
  readonly msg_type: 'text' | 'post' | 'interactive';
  /** im/v1 wants the content as a serialized JSON *string*, unlike the webhook's object. */
  readonly content: string;
}

/** A built message, and why the card gave way to text (when it did). */
export interface BuiltMessage {
  readonly message: ImMessage;
  readonly fallbackReason?: string;
}

/**
 * Builds the im/v1 message: a card on an `interactive` channel (text when the card cannot be
 * rendered or is too large), else `post` when there is a link to show, else `text`.
 */
export function buildImMessage(request: SendRequest, config: OpenidConfig, state?: CardState): BuiltMessage {
  if (config.msgType === 'interactive') {
    const card = buildCardContent(request, config, state);
    if (card.kind === 'card') return { message: { msg_type: 'interactive', content: card.json } };
    return { message: buildTextMessage(request), fallbackReason: card.reason };
  }
  return { message: buildTextMessage(request) };
}

/** The card for a request in a state (sent, acknowledged, resolved), as im/v1 content. */
export function buildCardContent(request: SendRequest, config: OpenidConfig, state?: CardState) {
  return renderCard(
    cardInputOf(request, state),
    config,
    { ackButton: config.ackButton, ackButtonText: config.ackButtonText },
    MAX_POST_CONTENT_BYTES,
  );
}

/**
 * text, or post with the link. The im/v1 post content is `{zh_cn: {...}}` with NO outer `post`
 * key (the webhook nests it; docs/feishu-notes.md §2.2/§3.2).
 */
function buildTextMessage(request: SendRequest): ImMessage {
  const url = request.target?.url ?? '';
  if (url === '') return { msg_type: 'text', content: JSON.stringify({ text: request.text }) };
  const post = {
    zh_cn: {
      title: request.metadata['title'] ?? request.triggerType,
      content: [
        [{ tag: 'text', text: request.text }],
        [{ tag: 'a', text: request.metadata['linkText'] ?? url, href: url }],
      ],
    },
  };
  return { msg_type: 'post', content: JSON.stringify(post) };
}

/** The size problem of a message, or undefined when it fits. */
export function contentSizeProblem(message: ImMessage): string | undefined {
  const size = Buffer.byteLength(message.content, 'utf8');
  const max = message.msg_type === 'text' ? MAX_TEXT_CONTENT_BYTES : MAX_POST_CONTENT_BYTES;
  return size > max
    ? `${message.msg_type} content is ${size} bytes; Feishu accepts at most ${max}`
    : undefined;
}

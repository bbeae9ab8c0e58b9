import { formatCardTime, headerColour, type CardInput } from './card-input.js';
import { labelsFor } from './card-labels.js';
import { pickTemplate, type CardConfig } from './card-config.js';
import { renderCardTemplate } from './card-template.js';
import { buildDefaultCard, previewLink, type DefaultCardOptions } from './default-card.js';

/** Feishu's cap on a card (template plus variables) in an im/v1 request (docs/feishu-notes.md §8.4). */
export const MAX_CARD_BYTES = 30 * 1024;

/** A card ready to send, or why the text fallback must go instead. */
export type CardOutcome =
  | { readonly kind: 'card'; readonly card: Record<string, unknown>; readonly json: string }
  | { readonly kind: 'fallback'; readonly reason: string };

/**
 * Renders the card for `input`: the configured template for its trigger type and locale, else
 * the built-in card. A template that fails, or a card over `maxBytes`, yields `fallback`: the
 * plugin then sends the text and reports `fallbackUsed`, so a bad card never blocks an alert.
 */
export function renderCard(
  input: CardInput,
  config: CardConfig,
  options: Omit<DefaultCardOptions, 'previewUrl'>,
  maxBytes: number = MAX_CARD_BYTES,
): CardOutcome {
  const template = pickTemplate(config.cardTemplates, input.triggerType, input.locale);
  let card: Record<string, unknown>;
  if (template) {
    const rendered = renderCardTemplate(template, cardVariables(input, config.previewUrl));
    if (rendered.kind === 'failed') return { kind: 'fallback', reason: rendered.reason };
    card = rendered.card;
  } else {
    card = buildDefaultCard(input, { ...options, previewUrl: config.previewUrl });
  }
  const json = JSON.stringify(card);
  const size = Buffer.byteLength(json, 'utf8');
  if (size > maxBytes) {
    return { kind: 'fallback', reason: `card is ${size} bytes; Feishu accepts at most ${maxBytes}` };
  }
  return { kind: 'card', card, json };
}

/** The variables a card template can use: the notification's metadata, then the built-ins. */
export function cardVariables(input: CardInput, previewUrl: string): Record<string, string> {
  const labels = labelsFor(input.locale);
  return {
    ...input.metadata,
    notification_id: input.notificationId,
    user_id: input.userId,
    trigger_id: input.triggerId,
    trigger_type: input.triggerType,
    title: input.title,
    text: input.text,
    severity: input.severity,
    severity_label: labels.severity[input.severity] ?? input.severity,
    header_color: headerColour(input),
    locale: input.locale,
    target_url: input.targetUrl,
    target_id: input.targetId,
    target_type: input.targetType,
    preview_id: input.previewId,
    preview_url: previewLink(previewUrl, input.previewId),
    state: input.state.resolvedAt ? 'resolved' : input.state.acknowledgedBy ? 'acknowledged' : 'firing',
    acknowledged_by: input.state.acknowledgedBy ?? '',
    acknowledged_at: input.state.acknowledgedAt ? formatCardTime(input.state.acknowledgedAt) : '',
    resolved_at: input.state.resolvedAt ? formatCardTime(input.state.resolvedAt) : '',
  };
}

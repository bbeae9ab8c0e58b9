import { formatCardTime, headerColour, type CardInput } from './card-input.js';
import { labelsFor } from './card-labels.js';

/** Options of the built-in card that come from channel config. */
export interface DefaultCardOptions {
  /** Preview link with `{{preview_id}}` in it; no preview button when empty. */
  readonly previewUrl: string;
  /** Show the Acknowledge callback button (app bot only: the webhook bot cannot answer callbacks). */
  readonly ackButton: boolean;
  /** Button text; empty for the locale's own word. */
  readonly ackButtonText: string;
}

/** The `value` of the Acknowledge button; it comes back verbatim in the card callback. */
export interface AckButtonValue {
  readonly action: 'ack';
  readonly notification_id: string;
}

/**
 * The built-in card (JSON 1.0, which every client renders and callback answers accept): header
 * coloured by severity (green once resolved), the text as lark_md, a state note, and buttons for
 * the target, the preview and Acknowledge. `update_multi` is set so PATCH can update it later.
 */
export function buildDefaultCard(input: CardInput, options: DefaultCardOptions): Record<string, unknown> {
  const labels = labelsFor(input.locale);
  const severityLabel = input.state.resolvedAt
    ? labels.severity['resolved']
    : (labels.severity[input.severity] ?? input.severity);
  const elements: unknown[] = [
    { tag: 'div', text: { tag: 'lark_md', content: input.text } },
    {
      tag: 'div',
      fields: [
        {
          is_short: true,
          text: { tag: 'lark_md', content: `**${labels.severityTitle}**\n${severityLabel}` },
        },
      ],
    },
  ];
  const notes: string[] = [];
  if (input.state.acknowledgedBy) {
    const at = formatCardTime(input.state.acknowledgedAt ?? new Date(0));
    notes.push(labels.acknowledgedBy(input.state.acknowledgedBy, at));
  }
  if (input.state.resolvedAt) notes.push(labels.resolvedAt(formatCardTime(input.state.resolvedAt)));
  if (notes.length > 0) {
    elements.push({ tag: 'note', elements: notes.map((content) => ({ tag: 'plain_text', content })) });
  }
  const actions = buttons(input, options, labels);
  if (actions.length > 0) elements.push({ tag: 'action', actions });
  return {
    config: { update_multi: true, wide_screen_mode: true },
    header: {
      template: headerColour(input),
      title: { tag: 'plain_text', content: `[${severityLabel}] ${input.title}` },
    },
    elements,
  };
}

function buttons(
  input: CardInput,
  options: DefaultCardOptions,
  labels: ReturnType<typeof labelsFor>,
): unknown[] {
  const actions: unknown[] = [];
  const text = (content: string) => ({ tag: 'plain_text', content });
  if (input.targetUrl !== '') {
    actions.push({ tag: 'button', text: text(labels.open), type: 'primary', url: input.targetUrl });
  }
  const preview = previewLink(options.previewUrl, input.previewId);
  if (preview !== '')
    actions.push({ tag: 'button', text: text(labels.preview), type: 'default', url: preview });
  const open = !input.state.acknowledgedBy && !input.state.resolvedAt;
  if (options.ackButton && open) {
    const value: AckButtonValue = { action: 'ack', notification_id: input.notificationId };
    actions.push({
      tag: 'button',
      text: text(options.ackButtonText || labels.acknowledge),
      type: 'danger',
      value,
    });
  }
  return actions;
}

/** The preview URL for `previewId`, or empty when either is unset. */
export function previewLink(previewUrl: string, previewId: string): string {
  if (previewUrl === '' || previewId === '') return '';
  return previewUrl.replaceAll('{{preview_id}}', encodeURIComponent(previewId));
}

import type { SendRequest } from '../../../core/contract/index.js';
import { cardLocale, type CardLocale } from './card-labels.js';

/** Severities with a header colour of their own; anything else is shown as info. */
export const CARD_SEVERITIES = ['critical', 'warning', 'info'] as const;

/** Where a card stands: just sent, acknowledged by someone, or resolved. */
export interface CardState {
  readonly acknowledgedBy?: string | undefined;
  readonly acknowledgedAt?: Date | undefined;
  readonly resolvedAt?: Date | undefined;
}

/** Everything a card is rendered from. */
export interface CardInput {
  readonly notificationId: string;
  readonly userId: string;
  readonly triggerId: string;
  readonly triggerType: string;
  readonly title: string;
  readonly text: string;
  readonly severity: string;
  readonly locale: CardLocale;
  readonly targetUrl: string;
  readonly targetId: string;
  readonly targetType: string;
  readonly previewId: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly state: CardState;
}

/** The card input of a send request (state: just sent, or resolved when `metadata.state` says so). */
export function cardInputOf(request: SendRequest, state: CardState = {}): CardInput {
  return {
    notificationId: request.notificationId,
    userId: request.userId,
    triggerId: request.triggerId,
    triggerType: request.triggerType,
    title: request.metadata['title'] ?? request.triggerType,
    text: request.text,
    severity: normalizeSeverity(request.severity ?? request.metadata['severity']),
    locale: cardLocale(request.locale),
    targetUrl: request.target?.url ?? '',
    targetId: request.target?.id ?? '',
    targetType: request.target?.type ?? '',
    previewId: request.previewId ?? '',
    metadata: request.metadata,
    state,
  };
}

/** `critical`, `warning` or `info` (unknown and empty values are `info`). */
export function normalizeSeverity(raw: string | undefined): string {
  const value = (raw ?? '').toLowerCase();
  return (CARD_SEVERITIES as readonly string[]).includes(value) ? value : 'info';
}

/** Header colour: resolved green, else critical red, warning orange, info blue. */
export function headerColour(input: Pick<CardInput, 'severity' | 'state'>): string {
  if (input.state.resolvedAt) return 'green';
  if (input.severity === 'critical') return 'red';
  if (input.severity === 'warning') return 'orange';
  return 'blue';
}

/** Card times are shown in UTC, minute precision: the card has no idea of the reader's zone. */
export function formatCardTime(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

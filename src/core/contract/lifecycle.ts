import type { SendRequest } from './send.js';

/** Where a sent message stands now; an update re-renders it in this state. */
export interface MessageState {
  /** Who acknowledged it, when it was acknowledged. */
  readonly acknowledgedBy?: string | undefined;
  readonly acknowledgedAt?: Date | undefined;
  /** When its event resolved (the card turns green). */
  readonly resolvedAt?: Date | undefined;
}

/**
 * Change a sent message to `state`: the original request (re-rendered), the provider's message id,
 * and the new state. Providers that cannot edit (the webhook bot) may send a short follow-up.
 */
export interface UpdateRequest extends SendRequest {
  readonly providerMessageId: string | null;
  readonly state: MessageState;
}

/** Delete a sent message. */
export interface RecallRequest {
  readonly notificationId: string;
  readonly providerMessageId: string;
  readonly settings: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
}

/** An inbound provider callback (e.g. Feishu's card action): raw bytes, since signatures cover them. */
export interface CallbackRequest {
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

/** Why a callback was refused; counted per reason. */
export type CallbackRejection =
  'malformed' | 'undecryptable' | 'bad_signature' | 'stale' | 'bad_token' | 'unsupported';

/** What a provider made of a callback. */
export type CallbackVerdict =
  /** Answer as is (e.g. URL verification), nothing else to do. */
  | { readonly kind: 'reply'; readonly body: unknown }
  | { readonly kind: 'rejected'; readonly reason: CallbackRejection; readonly detail: string }
  /** A user asked to acknowledge a notification. */
  | {
      readonly kind: 'acknowledge';
      /** The provider's id of this callback delivery: a second one with the same id is a replay. */
      readonly eventId: string;
      readonly notificationId: string;
      /** Who pressed the button (provider user id). */
      readonly operator: string;
    };

/** A provider's answer to an acknowledge callback, given the updated message (if the ack took). */
export interface CallbackAnswerInput {
  readonly update: UpdateRequest | undefined;
  readonly acknowledged: boolean;
  readonly locale: string;
}

import { SettingsError } from '../../core/contract/index.js';

/** The im/v1 `receive_id_type` values (docs/feishu-notes.md §9.1). */
export type ReceiveIdType = 'open_id' | 'user_id' | 'union_id' | 'email' | 'chat_id';

/** Where a message goes: an id Feishu takes directly, or an email/mobile to resolve to an open_id first. */
export type Recipient =
  | { readonly kind: 'direct'; readonly receiveIdType: ReceiveIdType; readonly receiveId: string }
  | { readonly kind: 'lookup'; readonly by: 'email' | 'mobile'; readonly value: string };

/** The recipient settings in the order they are preferred when several are given. */
export const RECIPIENT_KEYS = ['open_id', 'user_id', 'union_id', 'chat_id', 'email', 'mobile'] as const;

const ID_PATTERNS: Readonly<Record<string, RegExp>> = {
  open_id: /^ou_[A-Za-z0-9_-]+$/,
  union_id: /^on_[A-Za-z0-9_-]+$/,
  chat_id: /^oc_[A-Za-z0-9_-]+$/,
  user_id: /^[A-Za-z0-9_.-]+$/,
  email: /^[^\s@]+@[^\s@]+$/,
  mobile: /^\+?[0-9][0-9 -]{5,}$/,
};

/**
 * The recipient the user's settings name, or undefined when none is set. Email and mobile are
 * resolved to an open_id through contact batch_get_id (cached), not sent as `receive_id_type=email`,
 * so one lookup serves every later message and a missing user is reported before sending.
 */
export function recipientOf(settings: Readonly<Record<string, string>>): Recipient | undefined {
  for (const key of RECIPIENT_KEYS) {
    const value = settings[key] ?? '';
    if (value === '') continue;
    if (key === 'email' || key === 'mobile') return { kind: 'lookup', by: key, value };
    return { kind: 'direct', receiveIdType: key, receiveId: value };
  }
  return undefined;
}

/** Checks the recipient settings: exactly one set, each shaped like its kind of id. */
export function checkRecipientSettings(settings: Readonly<Record<string, string>>): void {
  const given = RECIPIENT_KEYS.filter((key) => (settings[key] ?? '') !== '');
  if (given.length === 0)
    throw new SettingsError('open_id', `one of ${RECIPIENT_KEYS.join(', ')} is required`);
  if (given.length > 1) {
    throw new SettingsError(
      given[1] as string,
      `set only one of ${RECIPIENT_KEYS.join(', ')} (got ${given.join(', ')})`,
    );
  }
  const key = given[0] as string;
  if (!(ID_PATTERNS[key] as RegExp).test(settings[key] as string)) {
    throw new SettingsError(key, `is not a valid ${key}`);
  }
}

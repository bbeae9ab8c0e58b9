import { createHash } from 'node:crypto';
import type { ChannelRegistry } from '../channels/channel-registry.js';
import { checkId, checkLength, echo, ID_LIMITS } from '../shared/field-rules.js';
import { invalidField } from '../shared/gateway-error.js';
import { newTraceId } from '../shared/ids.js';
import type { MessageInput } from './render-message.js';

/** A trigger as the RPC layer hands it over (proto field names in camelCase, defaults empty). */
export interface TriggerInput {
  readonly userId: string;
  readonly triggerId: string;
  readonly triggerType: string;
  readonly previewId: string;
  readonly target: { readonly type: string; readonly id: string; readonly url: string } | undefined;
  readonly message: MessageInput | undefined;
  readonly channels: readonly string[];
  readonly dedupeKey: string;
  readonly critical: boolean;
  readonly traceId: string;
  readonly metadata: Readonly<Record<string, string>>;
  /** Id of a configured status callback told about this trigger's notifications; '' for none. */
  readonly callback?: string;
}

/** A trigger after validation: defaults applied, every field within its limit. */
export interface ValidTrigger extends TriggerInput {
  readonly target: { readonly type: string; readonly id: string; readonly url: string };
  readonly message: MessageInput;
}

/** Column widths of notification_records; longer values are rejected, never truncated. */
export const FIELD_LIMITS = {
  userId: ID_LIMITS.userId,
  triggerId: ID_LIMITS.triggerId,
  triggerType: 64,
  previewId: 191,
  targetType: 64,
  targetId: 191,
  targetUrl: 2048,
  dedupeKey: ID_LIMITS.dedupeKey,
  traceId: 64,
  metadataEntries: 32,
  metadataKey: 64,
  metadataValue: 1024,
} as const;

const limit = checkLength;

function validateTargetUrl(url: string): void {
  if (!url) return;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidField('target.url', 'invalid_url', 'is not a valid URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw invalidField('target.url', 'invalid_url', 'must be an http or https URL');
  }
}

function validateChannels(channels: readonly string[], registry: ChannelRegistry): string[] {
  channels.forEach((channel, i) => {
    checkId(`channels[${i}]`, channel, ID_LIMITS.channel);
    if (!registry.get(channel)) {
      throw invalidField(`channels[${i}]`, 'unknown_channel', `${echo(channel)} is not a configured channel`);
    }
  });
  return [...new Set(channels)];
}

function validateMetadata(metadata: Readonly<Record<string, string>>): void {
  const entries = Object.entries(metadata);
  if (entries.length > FIELD_LIMITS.metadataEntries) {
    throw invalidField(
      'metadata',
      'too_many_entries',
      `has more than ${FIELD_LIMITS.metadataEntries} entries`,
    );
  }
  for (const [key, value] of entries) {
    if (key.length > FIELD_LIMITS.metadataKey) {
      throw invalidField(
        'metadata',
        'field_too_long',
        `key ${echo(key)} is longer than ${FIELD_LIMITS.metadataKey} characters`,
      );
    }
    limit(`metadata.${key}`, value, FIELD_LIMITS.metadataValue);
  }
}

function sortedEntries(map: Readonly<Record<string, string>>): Array<[string, string]> {
  return Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * sha256 hex of what a trigger asks to send, the fingerprint stored as request_hash: a repeat of a
 * dedupe key with another fingerprint is `idempotency_key_reused`. Channels are left out (each
 * record is already one channel of the key) and so is the trace id (a retry may carry a new one).
 * One JSON.stringify of a fixed-order array and one hash: a few microseconds on the Trigger path.
 */
export function triggerRequestHash(input: ValidTrigger): string {
  const { target, message } = input;
  const fingerprint = JSON.stringify([
    input.userId,
    input.triggerId,
    input.triggerType,
    input.previewId,
    input.dedupeKey,
    target.type,
    target.id,
    target.url,
    message.text,
    message.template,
    sortedEntries(message.variables),
    input.critical,
    sortedEntries(input.metadata),
  ]);
  return createHash('sha256').update(fingerprint, 'utf8').digest('hex');
}

/**
 * Validate a trigger and apply defaults (dedupe_key ← trigger_id, generated trace id). Throws
 * InvalidArgument naming the first bad field; nothing is stored for a rejected trigger.
 */
export function validateTrigger(
  input: TriggerInput,
  registry: ChannelRegistry,
  maxTextLength: number,
  templates: Readonly<Record<string, string>> = {},
): ValidTrigger {
  checkId('user_id', input.userId, FIELD_LIMITS.userId);
  checkId('trigger_id', input.triggerId, FIELD_LIMITS.triggerId);
  limit('trigger_type', input.triggerType, FIELD_LIMITS.triggerType);
  limit('preview_id', input.previewId, FIELD_LIMITS.previewId);
  const target = input.target ?? { type: '', id: '', url: '' };
  limit('target.type', target.type, FIELD_LIMITS.targetType);
  limit('target.id', target.id, FIELD_LIMITS.targetId);
  limit('target.url', target.url, FIELD_LIMITS.targetUrl);
  validateTargetUrl(target.url);
  const message = input.message ?? { text: '', template: '', variables: {} };
  // Something must say what to send: text, a named template, or a template for the trigger_type.
  const hasTemplate = message.template.trim().length > 0 || templates[input.triggerType] !== undefined;
  if (message.text.trim().length === 0 && !hasTemplate) {
    throw invalidField('message.text', 'field_required', 'message.text or message.template is required');
  }
  if (message.text.length > maxTextLength) {
    throw invalidField('message.text', 'text_too_long', `is longer than ${maxTextLength} characters`);
  }
  checkId('dedupe_key', input.dedupeKey, FIELD_LIMITS.dedupeKey, false);
  limit('trace_id', input.traceId, FIELD_LIMITS.traceId);
  validateMetadata(input.metadata);
  return {
    ...input,
    target,
    message,
    channels: validateChannels(input.channels, registry),
    dedupeKey: input.dedupeKey || input.triggerId,
    traceId: input.traceId || newTraceId(),
  };
}

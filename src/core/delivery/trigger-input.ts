import type { ChannelRegistry } from '../channels/channel-registry.js';
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
  userId: 128,
  triggerId: 191,
  triggerType: 64,
  previewId: 191,
  targetType: 64,
  targetId: 191,
  targetUrl: 2048,
  dedupeKey: 191,
  traceId: 64,
  metadataEntries: 32,
  metadataKey: 64,
  metadataValue: 1024,
} as const;

function limit(field: string, value: string, max: number, required = false): void {
  if (required && value.trim().length === 0) throw invalidField(field, 'field_required', 'is required');
  if (value.length > max) throw invalidField(field, 'field_too_long', `is longer than ${max} characters`);
}

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
    if (!registry.get(channel)) {
      throw invalidField(`channels[${i}]`, 'unknown_channel', `"${channel}" is not a configured channel`);
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
    limit(`metadata.${key}`, key, FIELD_LIMITS.metadataKey);
    limit(`metadata.${key}`, value, FIELD_LIMITS.metadataValue);
  }
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
  limit('user_id', input.userId, FIELD_LIMITS.userId, true);
  limit('trigger_id', input.triggerId, FIELD_LIMITS.triggerId, true);
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
  limit('dedupe_key', input.dedupeKey, FIELD_LIMITS.dedupeKey);
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
